/**
 * The seat map: draws a venue of any size as a keyboard-navigable grid and
 * repaints single seats as updates arrive.
 *
 * Each seat is a <button data-seat-id> with one of the classes available / held /
 * booked, plus `mine` for this browser's own hold: a held seat whose `holder` tag is the
 * one the server gave this session (never its free-form user id, which anyone can claim),
 * and `my-booking` for a seat this page saw its own hold turn into a booking. One seat at a
 * time is in the tab
 * order (roving tabindex); arrow keys move between seats, Enter or Space picks one.
 * Seats are never built from server strings as HTML: only textContent and attributes.
 */

export const AVAILABLE = 0;
export const HELD = 1;
export const BOOKED = 2;

const STATUS_CLASS = { [AVAILABLE]: 'available', [HELD]: 'held', [BOOKED]: 'booked' };

/** Row letters for a 0-based row: 0 → A, 25 → Z, 26 → AA (as the server names seats). */
export function rowLabel(row) {
  let label = '';
  for (let n = row + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    label = String.fromCharCode(65 + ((n - 1) % 26)) + label;
  }
  return label;
}

/** "Row A, seat 1" */
export function seatName(seat) {
  return `Row ${rowLabel(seat.row)}, seat ${seat.col + 1}`;
}

/** A held seat's deadline in unix ms, from expires_at_ms or expires_at (seconds). */
export function expiryMs(seat) {
  if (Number.isFinite(seat.expires_at_ms)) return seat.expires_at_ms;
  if (Number.isFinite(seat.expires_at)) return seat.expires_at * 1000;
  return null;
}

function isSeat(value) {
  return (
    typeof value?.id === 'string' && Number.isInteger(value.row) && Number.isInteger(value.col)
  );
}

const KEY_MOVES = {
  ArrowLeft: [0, -1],
  ArrowRight: [0, 1],
  ArrowUp: [-1, 0],
  ArrowDown: [1, 0],
};

export class SeatMap {
  #grid;
  #onChoose;
  #holder = null;
  /** ids of seats booked from one of this session's holds */
  #booked = new Set();
  /** seat id → {seat, version, el} */
  #records = new Map();
  /** rows of seat ids, each in column order, for keyboard moves */
  #rows = [];
  #activeId = null;

  /** @param {HTMLElement} grid  @param {(seatId: string) => void} onChoose */
  constructor(grid, onChoose) {
    this.#grid = grid;
    this.#onChoose = onChoose;
    grid.addEventListener('click', (event) => this.#onClick(event));
    grid.addEventListener('keydown', (event) => this.#onKey(event));
    grid.addEventListener('focusin', (event) => this.#onFocus(event));
  }

  /** Show a whole VENUE_STATE; the same layout is repainted in place, keeping focus. */
  render(venue) {
    const seats = venue.seats.filter(isSeat);
    const version = Number.isFinite(venue.version) ? venue.version : null;
    if (!this.#sameLayout(seats)) this.#build(seats, venue);
    for (const seat of seats) {
      const record = this.#records.get(seat.id);
      if (!record) continue;
      const changed = record.seat !== null && !sameState(record.seat, seat);
      this.#noteBooking(record.seat, seat);
      record.seat = seat;
      record.version = version;
      this.#paint(record, changed);
    }
  }

  /**
   * Apply one SEAT_UPDATE; returns {seat, previous}, or null if the update is for an
   * unknown seat or not newer than what the seat already shows.
   */
  apply(update) {
    const record = this.#records.get(update.seat_id ?? update.seat?.id);
    if (!record || record.seat === null) return null;
    const version = Number.isFinite(update.version) ? update.version : null;
    if (version !== null && record.version !== null && version <= record.version) return null;
    const previous = record.seat;
    record.seat = isSeat(update.seat) ? update.seat : seatFromEvent(update, previous);
    if (version !== null) record.version = version;
    this.#noteBooking(previous, record.seat);
    this.#paint(record, true);
    return { seat: record.seat, previous };
  }

  /** The server-assigned holder tag whose holds count as `mine`; repaints every seat. */
  setHolder(holder) {
    this.#holder = typeof holder === 'string' && holder !== '' ? holder : null;
    for (const record of this.#records.values()) {
      if (record.seat !== null) this.#paint(record, false);
    }
  }

  get(seatId) {
    return this.#records.get(seatId)?.seat ?? null;
  }

  /** Whether ``seat`` is held by this session. */
  isMine(seat) {
    return seat?.status === HELD && this.#holder !== null && seat.holder === this.#holder;
  }

  /** Whether ``seat`` was booked from one of this session's holds. */
  isMyBooking(seat) {
    return seat?.status === BOOKED && this.#booked.has(seat.id);
  }

  /** Seats held by this session, in layout order. */
  myHolds() {
    return this.#seats().filter((seat) => this.isMine(seat));
  }

  availableCount() {
    return this.#seats().filter((seat) => seat.status === AVAILABLE).length;
  }

  get size() {
    return this.#records.size;
  }

  /** Move keyboard focus to a seat (and make it the one in the tab order). */
  focus(seatId) {
    const record = this.#records.get(seatId);
    if (!record) return;
    this.#setActive(seatId);
    record.el.focus();
  }

  #seats() {
    return Array.from(this.#records.values(), (record) => record.seat).filter(Boolean);
  }

  #sameLayout(seats) {
    return seats.length === this.#records.size && seats.every((seat) => this.#records.has(seat.id));
  }

  #build(seats, venue) {
    const hadFocus = this.#grid.contains(document.activeElement);
    const rows = Number.isInteger(venue.rows) ? venue.rows : extent(seats, 'row');
    const cols = Number.isInteger(venue.cols) ? venue.cols : extent(seats, 'col');
    const byRow = Array.from({ length: rows }, () => []);
    for (const seat of seats) byRow[seat.row]?.push(seat);

    this.#records.clear();
    this.#grid.style.setProperty('--cols', String(cols));
    this.#grid.replaceChildren(...byRow.map((rowSeats, row) => this.#buildRow(row, rowSeats)));
    this.#rows = byRow
      .map((rowSeats) => rowSeats.sort((a, b) => a.col - b.col).map((seat) => seat.id))
      .filter((ids) => ids.length > 0);

    const keep = this.#records.has(this.#activeId) ? this.#activeId : this.#rows[0]?.[0];
    this.#activeId = null;
    if (keep) this.#setActive(keep);
    if (hadFocus && keep) this.#records.get(keep).el.focus();
  }

  #buildRow(row, seats) {
    const rowEl = document.createElement('div');
    rowEl.className = 'seat-row';
    rowEl.setAttribute('role', 'row');
    const label = rowLabel(row);
    rowEl.append(rowHeader(label, 'start'));
    for (const seat of seats) {
      const cell = document.createElement('div');
      cell.setAttribute('role', 'gridcell');
      cell.className = 'seat-cell';
      cell.style.gridColumn = String(seat.col + 2);
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'seat';
      button.dataset.seatId = seat.id;
      button.tabIndex = -1;
      button.textContent = String(seat.col + 1);
      cell.append(button);
      rowEl.append(cell);
      this.#records.set(seat.id, { seat: null, version: null, el: button });
    }
    rowEl.append(rowHeader(label, 'end'));
    return rowEl;
  }

  /** Remember a seat whose hold of ours became a booking (the booking names no holder). */
  #noteBooking(previous, seat) {
    if (seat.status === BOOKED && this.isMine(previous)) this.#booked.add(seat.id);
  }

  #paint(record, flash) {
    const { seat, el } = record;
    const status = STATUS_CLASS[seat.status] ?? 'available';
    const mine = this.isMine(seat);
    const myBooking = this.isMyBooking(seat);
    el.className = `seat ${status}`;
    el.classList.toggle('mine', mine);
    el.classList.toggle('my-booking', myBooking);
    const label = `${seatName(seat)}, ${describe(status, mine, myBooking)}`;
    el.setAttribute('aria-label', label);
    el.title = label;
    el.setAttribute('aria-disabled', String(!(seat.status === AVAILABLE || mine)));
    if (flash) pulse(el);
  }

  #setActive(seatId) {
    if (this.#activeId === seatId) return;
    const previous = this.#records.get(this.#activeId);
    if (previous) previous.el.tabIndex = -1;
    this.#records.get(seatId).el.tabIndex = 0;
    this.#activeId = seatId;
  }

  #onClick(event) {
    const seatId = event.target.closest('[data-seat-id]')?.dataset.seatId;
    if (seatId && this.#records.has(seatId)) this.#onChoose(seatId);
  }

  #onFocus(event) {
    const seatId = event.target.dataset?.seatId;
    if (seatId && this.#records.has(seatId)) this.#setActive(seatId);
  }

  #onKey(event) {
    const target = this.#targetFor(event);
    if (target === null) return;
    event.preventDefault();
    this.focus(target);
  }

  /** The seat a navigation key leads to from the active seat, or null for other keys. */
  #targetFor(event) {
    const [r, i] = this.#position(this.#activeId);
    if (r < 0) return null;
    const row = this.#rows[r];
    if (event.key === 'Home') return event.ctrlKey ? this.#rows[0][0] : row[0];
    if (event.key === 'End') return event.ctrlKey ? this.#rows.at(-1).at(-1) : row.at(-1);
    const move = KEY_MOVES[event.key];
    if (!move) return null;
    if (move[0] === 0) return row[Math.min(row.length - 1, Math.max(0, i + move[1]))];
    const next = this.#rows[r + move[0]];
    return next ? this.#nearestInRow(next, this.get(row[i]).col) : row[i];
  }

  #position(seatId) {
    for (let r = 0; r < this.#rows.length; r += 1) {
      const i = this.#rows[r].indexOf(seatId);
      if (i >= 0) return [r, i];
    }
    return [-1, -1];
  }

  #nearestInRow(ids, col) {
    let best = ids[0];
    for (const id of ids) {
      if (Math.abs(this.get(id).col - col) < Math.abs(this.get(best).col - col)) best = id;
    }
    return best;
  }
}

/** How many rows (or columns) the seats span, for a VENUE_STATE without rows/cols. */
function extent(seats, key) {
  return seats.reduce((size, seat) => Math.max(size, seat[key] + 1), 0);
}

function rowHeader(label, side) {
  const header = document.createElement('div');
  header.setAttribute('role', 'rowheader');
  header.className = `row-label row-label-${side}`;
  header.textContent = label;
  if (side === 'end') header.setAttribute('aria-hidden', 'true');
  return header;
}

function describe(status, mine, myBooking) {
  if (mine) return 'held by you';
  if (myBooking) return 'booked by you';
  return status;
}

function sameState(a, b) {
  return (
    a.status === b.status &&
    a.held_by === b.held_by &&
    a.holder === b.holder &&
    a.booked_by === b.booked_by
  );
}

/** A seat as a SEAT_UPDATE without a `seat` object describes it. */
function seatFromEvent(update, previous) {
  const seat = { id: previous.id, row: previous.row, col: previous.col, status: update.status };
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
  el.classList.remove('changed');
  // Reading layout restarts the animation when the same seat changes again quickly.
  void el.offsetWidth;
  el.classList.add('changed');
}
