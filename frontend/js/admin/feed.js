/**
 * The feed of recent changes: the DASHBOARD's `changes` (newest first), one line each
 * ("12:03:07 · Stalls, Row A, Seat 4 booked by u-1a2b"). A line is added only for a
 * change not shown yet (by version), so the aria-live list announces each change once.
 */

import { clockTime } from './time-text.js';

const MAX_SHOWN = 50;
const WORDS = {
  held: 'held',
  released: 'released',
  booked: 'booked',
  auto_released: 'released (hold lapsed)',
};

export class ChangeFeed {
  #list;
  #describe;
  #eventId = null;
  /** The highest version shown. */
  #version = -Infinity;

  /** @param {HTMLElement} list  an aria-live <ol>  @param {(seatId: string) => string} describe */
  constructor(list, describe) {
    this.#list = list;
    this.#describe = describe;
  }

  /** Show the changes of `eventId` (newest first) that are newer than those shown. */
  show(eventId, changes) {
    if (eventId !== this.#eventId) {
      this.#eventId = eventId;
      this.#version = -Infinity;
      this.#list.replaceChildren();
    }
    const fresh = (Array.isArray(changes) ? changes : [])
      .filter((change) => Number.isFinite(change?.version) && change.version > this.#version)
      .sort((a, b) => a.version - b.version);
    for (const change of fresh) {
      this.#list.prepend(this.#line(change));
      this.#version = change.version;
    }
    while (this.#list.childElementCount > MAX_SHOWN) this.#list.lastElementChild.remove();
  }

  #line(change) {
    const item = document.createElement('li');
    item.className = `feed-item feed-${String(change.event_type ?? '').replace(/[^a-z_]/g, '')}`;
    const time = document.createElement('time');
    time.className = 'feed-time';
    time.textContent = clockTime(change.timestamp);
    const what = document.createElement('span');
    const word = WORDS[change.event_type] ?? String(change.event_type ?? 'changed');
    const user = typeof change.user_id === 'string' ? change.user_id : '';
    const who = user === '' ? '' : ` by ${user}`;
    what.textContent = `${this.#describe(String(change.seat_id ?? ''))} ${word}${who}`;
    item.append(time, what);
    return item;
  }
}
