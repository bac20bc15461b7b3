/**
 * The feed of recent changes: the DASHBOARD's `changes` (newest first), one line each
 * ("12:03:07 · Stalls, Row A, Seat 4 booked by u-1a2b"). A line is added only for a
 * change not shown yet (by version), so the aria-live list announces each change once.
 *
 * An operator's block and unblock both travel as a `released` change without a user;
 * which one it was follows from the seat's next change, else from its state now.
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

  /**
   * Show the changes of `eventId` that are newer than those shown; `occupancy` is the
   * state of the seats not available now.
   */
  show(eventId, changes, occupancy) {
    if (eventId !== this.#eventId) {
      this.#eventId = eventId;
      this.#version = -Infinity;
      this.#list.replaceChildren();
    }
    const known = (Array.isArray(changes) ? changes : [])
      .filter((change) => Number.isFinite(change?.version))
      .sort((a, b) => b.version - a.version);
    const blocks = blockWords(known, occupancy ?? {});
    for (const change of known.filter((item) => item.version > this.#version).reverse()) {
      this.#list.prepend(this.#line(change, blocks.get(change.version)));
      this.#version = change.version;
    }
    while (this.#list.childElementCount > MAX_SHOWN) this.#list.lastElementChild.remove();
  }

  #line(change, block) {
    const kind = block ?? String(change.event_type ?? '').replace(/[^a-z_]/g, '');
    const item = document.createElement('li');
    item.className = `feed-item feed-${kind}`;
    const time = document.createElement('time');
    time.className = 'feed-time';
    time.textContent = clockTime(change.timestamp);
    const what = document.createElement('span');
    const word = block ?? WORDS[change.event_type] ?? String(change.event_type ?? 'changed');
    const user = typeof change.user_id === 'string' ? change.user_id : '';
    const who = user === '' ? '' : ` by ${user}`;
    what.textContent = `${this.#describe(String(change.seat_id ?? ''))} ${word}${who}`;
    item.append(time, what);
    return item;
  }
}

/** A change an operator made: a block or unblock (`released`, and nobody's). */
function byOperator(change) {
  return change.event_type === 'released' && !change.user_id;
}

/**
 * 'blocked' or 'unblocked' for each operator change of `changes` (newest first), by
 * version. After a block a seat's next change can only be its unblock; after an
 * unblock, anything. A seat's newest operator change is told by its state now.
 */
function blockWords(changes, occupancy) {
  const words = new Map();
  /** seat id → what its next (newer) change was: 'blocked', 'unblocked' or 'other' */
  const next = new Map();
  for (const change of changes) {
    const seatId = String(change.seat_id ?? '');
    if (!byOperator(change)) {
      next.set(seatId, 'other');
      continue;
    }
    const after = next.get(seatId);
    const now = occupancy[seatId] === 'blocked' ? 'blocked' : 'unblocked';
    const word = after === undefined ? now : after === 'unblocked' ? 'blocked' : 'unblocked';
    words.set(change.version, word);
    next.set(seatId, word);
  }
  return words;
}
