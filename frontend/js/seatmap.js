/**
 * The seat map: the live state of every seat of a plan, drawn by PlanView and
 * repainted one seat at a time as updates arrive.
 *
 * Each seat element carries `data-seat-id` and the classes `seat` plus one of
 * available / held / booked / blocked (a blocked seat is a house seat: not for sale),
 * `mine` for this browser's own hold (a held seat whose `holder` tag is the one the
 * server gave this session, never its free-form user id), and `my-booking` for a seat
 * this page saw its own hold turn into a booking, or that one of this session's orders
 * holds. A VENUE_STATE may list every seat (full) or only those that are not available
 * (compact: held seats in `seats`, booked and blocked ones as bare ids in `booked` and
 * `blocked`): a seat it leaves out is available. Repainting touches the one element
 * whose state changed. One listener on the <svg> serves every seat; one seat at a time
 * is in the tab order (roving tabindex), arrow keys move along a row and between rows,
 * Enter or Space picks one.
 */

import { displayName } from './plan.js';
import { PlanView } from './plan-view.js';

export const AVAILABLE = 0;
export const HELD = 1;
export const BOOKED = 2;

const STATUS_CLASS = { [AVAILABLE]: 'available', [HELD]: 'held', [BOOKED]: 'booked' };
const KEY_MOVES = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
const PICK_KEYS = new Set(['Enter', ' ']);

/** "Stalls, Row A, Seat 1", as the map named the seat. */
export function seatName(seat) {
  return seat.name ?? seat.id;
}

/** A held seat's deadline in unix ms, from expires_at_ms or expires_at (seconds). */
export function expiryMs(seat) {
  if (Number.isFinite(seat.expires_at_ms)) return seat.expires_at_ms;
  if (Number.isFinite(seat.expires_at)) return seat.expires_at * 1000;
  return null;
}

/** The word for a seat's state: available, held, booked, not for sale, held by you… */
function stateWord(seat, { mine = false, myBooking = false } = {}) {
  if (mine) return 'held by you';
  if (myBooking) return 'booked by you';
  if (seat.blocked === true) return 'not for sale';
  return STATUS_CLASS[seat.status] ?? 'available';
}

export class SeatMap {
  #view;
  #label;
  #onChoose;
  #onFocus;
  #onPoint;
  #onRepaint;
  #plan = null;
  #holder = null;
  /** ids of seats booked from one of this session's holds */
  #booked = new Set();
  /** seat id → {seat, version, el, place} */
  #records = new Map();
  /** How many seats are free, kept as seats change so no update has to count them all. */
  #free = 0;
  #activeId = null;

  /**
   * @param {HTMLElement} container  where the <svg> goes
   * @param {{label?: string, onChoose: (seatId: string) => void,
   *          onFocus?: (place: object) => void, onPoint?: (seatId: string | null) => void,
   *          onRepaint?: (seatId: string) => void}} handlers  onPoint: the seat under the
   *          pointer or with focus (null: none)
   */
  constructor(
    container,
    {
      label = 'Seat map',
      onChoose,
      onFocus = () => {},
      onPoint = () => {},
      onRepaint = () => {},
    },
  ) {
    this.#view = new PlanView(container);
    this.#label = label;
    this.#onChoose = onChoose;
    this.#onFocus = onFocus;
    this.#onPoint = onPoint;
    this.#onRepaint = onRepaint;
    container.addEventListener('click', (event) => this.#onClick(event));
    container.addEventListener('keydown', (event) => this.#onKey(event));
    container.addEventListener('focusin', (event) => this.#onFocusIn(event));
    container.addEventListener('pointerover', (event) => this.#onPointer(event));
    container.addEventListener('pointerleave', () => this.#onPoint(null));
  }

  /** The plan shown, or null before one is drawn. */
  get plan() {
    return this.#plan;
  }

  /** Draw `plan` with every seat available until a VENUE_STATE says otherwise. */
  draw(plan) {
    this.#plan = plan;
    this.#view.draw(plan, { label: this.#label });
    this.#records = new Map();
    for (const place of plan.seats.values()) {
      const seat = { id: place.id, status: AVAILABLE, name: displayName(plan, place) };
      this.#records.set(place.id, { seat, version: null, el: this.#view.element(place.id), place });
    }
    this.#free = this.#records.size;
    this.#activeId = null;
    const first = plan.rows[0]?.[0];
    if (first) this.#setActive(first);
  }

  /**
   * Show a whole VENUE_STATE (full or compact); only seats whose state changed repaint.
   * It does not call onRepaint per seat: whoever shows counts recounts after it.
   */
  render(venue) {
    const version = Number.isFinite(venue.version) ? venue.version : null;
    const listed = new Map();
    for (const seat of venue.seats) {
      if (typeof seat?.id === 'string' && this.#records.has(seat.id)) listed.set(seat.id, seat);
    }
    // A compact state names booked and blocked seats by id alone.
    for (const id of Array.isArray(venue.booked) ? venue.booked : []) {
      if (this.#records.has(id)) listed.set(id, { id, status: BOOKED });
    }
    for (const id of Array.isArray(venue.blocked) ? venue.blocked : []) {
      if (this.#records.has(id)) listed.set(id, { id, status: AVAILABLE, blocked: true });
    }
    this.#free = 0;
    for (const [id, record] of this.#records) {
      const next = listed.get(id) ?? (venue.compact === true ? { id, status: AVAILABLE } : null);
      record.version = version;
      if (next !== null) {
        const seat = { ...next, name: record.seat.name };
        const changed = !sameState(record.seat, seat);
        this.#noteBooking(record.seat, seat);
        record.seat = seat;
        if (changed) this.#paint(record);
      }
      if (this.isFree(record.seat)) this.#free += 1;
    }
  }

  /**
   * Apply one SEAT_UPDATE: repaint that seat, ring it briefly, call onRepaint; returns
   * {seat, previous}, or null if the update is for an unknown seat or not newer than
   * what the seat already shows.
   */
  apply(update) {
    const record = this.#records.get(update.seat_id ?? update.seat?.id);
    if (!record) return null;
    const version = Number.isFinite(update.version) ? update.version : null;
    if (version !== null && record.version !== null && version <= record.version) return null;
    const previous = record.seat;
    const next =
      typeof update.seat?.id === 'string' ? update.seat : seatFromEvent(update, previous);
    record.seat = { ...next, name: previous.name };
    this.#free += Number(this.isFree(record.seat)) - Number(this.isFree(previous));
    if (version !== null) record.version = version;
    this.#noteBooking(previous, record.seat);
    this.#paint(record);
    pulse(record.el);
    this.#onRepaint(record.seat.id);
    return { seat: record.seat, previous };
  }

  /** The server-assigned holder tag whose holds count as `mine`; repaints seats that change. */
  setHolder(holder) {
    const next = typeof holder === 'string' && holder !== '' ? holder : null;
    if (next === this.#holder) return;
    this.#holder = next;
    for (const record of this.#records.values()) {
      if (record.seat.status === HELD) this.#paint(record);
    }
  }

  /** Seats this session's orders booked (known from My tickets): repaint those as mine. */
  markMyBookings(seatIds) {
    for (const id of seatIds) {
      const record = this.#records.get(id);
      if (!record || this.#booked.has(id)) continue;
      this.#booked.add(id);
      this.#paint(record);
    }
  }

  get(seatId) {
    return this.#records.get(seatId)?.seat ?? null;
  }

  /** The plan's place of a seat (zone, row, position, category), or null. */
  place(seatId) {
    return this.#records.get(seatId)?.place ?? null;
  }

  /** Whether ``seat`` is held by this session. */
  isMine(seat) {
    return seat?.status === HELD && this.#holder !== null && seat.holder === this.#holder;
  }

  /** Whether ``seat`` was booked from one of this session's holds. */
  isMyBooking(seat) {
    return seat?.status === BOOKED && this.#booked.has(seat.id);
  }

  /** Whether a buyer can pick ``seat`` now. */
  isFree(seat) {
    return seat?.status === AVAILABLE && seat.blocked !== true;
  }

  /** How the map words a seat's state for this session. */
  describe(seat) {
    return stateWord(seat, { mine: this.isMine(seat), myBooking: this.isMyBooking(seat) });
  }

  /** How many seats a buyer can pick now. */
  availableCount() {
    return this.#free;
  }

  get size() {
    return this.#records.size;
  }

  /** Move keyboard focus to a seat (and make it the one in the tab order). */
  focus(seatId) {
    const record = this.#records.get(seatId);
    if (!record) return;
    this.#setActive(seatId);
    record.el.focus({ preventScroll: true });
  }

  /** Remember a seat whose hold of ours became a booking (the booking names no holder). */
  #noteBooking(previous, seat) {
    if (seat.status === BOOKED && this.isMine(previous)) this.#booked.add(seat.id);
  }

  /** Set one seat element's classes (and its name if it is the active seat); nothing else. */
  #paint(record) {
    const { seat, el } = record;
    const status = seat.blocked === true ? 'blocked' : (STATUS_CLASS[seat.status] ?? 'available');
    const mine = this.isMine(seat);
    const classes = ['seat', status];
    if (mine) classes.push('mine');
    if (this.isMyBooking(seat)) classes.push('my-booking');
    el.setAttribute('class', classes.join(' '));
    if (record.seat.id === this.#activeId) this.#nameActive(record);
  }

  /** The active seat's accessible name; only it carries one, so 20,000 seats stay light. */
  #nameActive(record) {
    record.el.setAttribute('aria-label', `${seatName(record.seat)}, ${this.describe(record.seat)}`);
  }

  #setActive(seatId) {
    if (this.#activeId === seatId) return;
    const previous = this.#records.get(this.#activeId);
    if (previous) {
      previous.el.setAttribute('tabindex', '-1');
      previous.el.removeAttribute('aria-label');
      previous.el.removeAttribute('role');
    }
    const record = this.#records.get(seatId);
    record.el.setAttribute('tabindex', '0');
    record.el.setAttribute('role', 'button');
    this.#nameActive(record);
    this.#activeId = seatId;
  }

  #onClick(event) {
    const seatId = event.target.closest?.('[data-seat-id]')?.dataset.seatId;
    if (!seatId || !this.#records.has(seatId)) return;
    this.focus(seatId);
    this.#onChoose(seatId);
  }

  #onFocusIn(event) {
    const seatId = event.target.dataset?.seatId;
    if (!seatId || !this.#records.has(seatId)) return;
    this.#setActive(seatId);
    this.#onFocus(this.#records.get(seatId).place);
    this.#onPoint(seatId);
  }

  #onPointer(event) {
    const seatId = event.target.dataset?.seatId;
    this.#onPoint(seatId && this.#records.has(seatId) ? seatId : null);
  }

  #onKey(event) {
    const seatId = event.target.dataset?.seatId;
    if (!seatId || !this.#records.has(seatId)) return;
    if (PICK_KEYS.has(event.key)) {
      event.preventDefault();
      this.#onChoose(seatId);
      return;
    }
    const target = this.#targetFor(event);
    if (target === null) return;
    event.preventDefault();
    this.focus(target);
  }

  /** The seat a navigation key leads to from the active seat, or null for other keys. */
  #targetFor(event) {
    const place = this.#records.get(this.#activeId)?.place;
    if (!place) return null;
    const rows = this.#plan.rows;
    const row = rows[place.row];
    if (event.key === 'Home') return event.ctrlKey ? rows[0][0] : row[0];
    if (event.key === 'End') return event.ctrlKey ? rows.at(-1).at(-1) : row.at(-1);
    const move = KEY_MOVES[event.key];
    if (!move) return null;
    if (move[0] === 0) return row[Math.min(row.length - 1, Math.max(0, place.index + move[1]))];
    const next = rows[place.row + move[0]];
    return next ? this.#nearest(next, place.x) : row[place.index];
  }

  #nearest(ids, x) {
    let best = ids[0];
    for (const id of ids) {
      if (Math.abs(this.place(id).x - x) < Math.abs(this.place(best).x - x)) best = id;
    }
    return best;
  }
}

function sameState(a, b) {
  return (
    a.status === b.status &&
    a.held_by === b.held_by &&
    a.holder === b.holder &&
    a.booked_by === b.booked_by &&
    (a.blocked === true) === (b.blocked === true)
  );
}

/** A seat as a SEAT_UPDATE without a `seat` object describes it. */
function seatFromEvent(update, previous) {
  const seat = { id: previous.id, status: update.status };
  if (update.status === HELD) {
    seat.held_by = update.user_id;
    seat.expires_at = update.expires_at;
    if (typeof update.holder === 'string') seat.holder = update.holder;
  }
  if (update.status === BOOKED) seat.booked_by = update.user_id;
  return seat;
}

/** A brief ring around a seat that just changed (none with reduced motion). */
function pulse(el) {
  if (window.matchMedia('(prefers-reduced-motion: reduce)').matches) return;
  el.animate(
    [
      { strokeWidth: '0', stroke: 'rgb(255 255 255 / 90%)' },
      { strokeWidth: '12', stroke: 'rgb(255 255 255 / 0%)' },
    ],
    { duration: 800, easing: 'ease-out' },
  );
}
