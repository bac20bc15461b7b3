/**
 * The audit log: who did what and when, newest first, from the DASHBOARD's `audit`
 * entries `{at, who, address, action, detail}`. Each entry is one line of text.
 */

import { clockTime } from './time-text.js';

const STATE_WORDS = {
  on_sale: 'opened sales',
  closed: 'closed sales',
  scheduled: 'scheduled sales',
};
const MAX_SEATS_NAMED = 6;

export class AuditLog {
  #list;
  #empty;

  /** @param {{list: HTMLElement, empty: HTMLElement}} els */
  constructor(els) {
    this.#list = els.list;
    this.#empty = els.empty;
  }

  /** Show the entries (newest first). */
  show(entries) {
    const items = (Array.isArray(entries) ? entries : []).map(line);
    this.#list.replaceChildren(...items);
    this.#empty.hidden = items.length > 0;
  }
}

/** What an entry's action did, in words. */
function actionText(entry) {
  const detail = entry?.detail ?? {};
  switch (entry?.action) {
    case 'state':
      return STATE_WORDS[detail.state] ?? `set the state to ${String(detail.state)}`;
    case 'block':
      return `blocked ${seats(detail.seat_ids)}`;
    case 'unblock':
      return `unblocked ${seats(detail.seat_ids)}`;
    case 'cancel_order':
      return `cancelled order ${String(detail.reference ?? '')} (${seats(detail.seat_ids)})`;
    default:
      return String(entry?.action ?? 'acted');
  }
}

function line(entry) {
  const item = document.createElement('li');
  item.className = 'audit-item';
  const time = document.createElement('time');
  time.className = 'audit-time';
  if (typeof entry?.at === 'string') time.dateTime = entry.at;
  time.textContent = clockTime(entry?.at);
  const who = document.createElement('strong');
  who.className = 'audit-who';
  who.textContent = String(entry?.who ?? '');
  const what = document.createElement('span');
  what.textContent = ` ${actionText(entry)}`;
  const where = document.createElement('span');
  where.className = 'audit-address';
  where.textContent = typeof entry?.address === 'string' ? ` from ${entry.address}` : '';
  item.append(time, who, what, where);
  return item;
}

/** "A1, A2 and 3 more" (at most MAX_SEATS_NAMED ids named). */
function seats(ids) {
  const list = Array.isArray(ids) ? ids.map(String) : [];
  if (list.length === 0) return 'no seats';
  const named = list.slice(0, MAX_SEATS_NAMED).join(', ');
  const more = list.length - MAX_SEATS_NAMED;
  const noun = list.length === 1 ? 'seat' : 'seats';
  return more > 0 ? `${noun} ${named} and ${more} more` : `${noun} ${named}`;
}
