/**
 * The step-through: block → row → seat from three native select lists, for keyboards
 * and screen readers, with no need for the map.
 *
 * Every option says what a screen reader should hear: a block's and a row's free
 * seats, a seat's state and price. Choosing a block zooms the map to it; "Add this
 * seat" asks for the chosen seat the same way a click on the map does; a block chosen
 * in the overview becomes the listed one. A seat change rewrites the options that name
 * it: its block's count, and its row's count and its own option while they are listed.
 */

const FOLDED = '(max-width: 40rem)';

export class StepThrough {
  #els;
  #map;
  #price;
  #onHold;
  #onBlock;

  /**
   * @param {{block: HTMLSelectElement, row: HTMLSelectElement, seat: HTMLSelectElement,
   *          hold: HTMLButtonElement, root: HTMLElement}} els
   * @param {{map: import('./seatmap.js').SeatMap, price: (category: string) => string,
   *          onHold: (seatId: string) => void, onBlock: (zone: object) => void}} options
   */
  constructor(els, { map, price, onHold, onBlock }) {
    this.#els = els;
    this.#map = map;
    this.#price = price;
    this.#onHold = onHold;
    this.#onBlock = onBlock;
    els.block.addEventListener('change', () => this.#chooseBlock(true));
    els.row.addEventListener('change', () => this.#fillSeats());
    els.seat.addEventListener('change', () => this.#syncHold());
    els.hold.addEventListener('click', () => {
      const seatId = els.seat.value;
      if (seatId) this.#onHold(seatId);
    });
  }

  /** List the blocks of the map's plan (after a new plan is drawn). */
  load() {
    const plan = this.#map.plan;
    this.#els.block.replaceChildren(
      ...plan.zones.map((zone, index) => option(String(index), this.#blockText(zone))),
    );
    const root = this.#els.root;
    // Open beside the map; on a phone, folded so the panel leaves room for the map.
    if (root.hidden) root.open = !window.matchMedia(FOLDED).matches;
    root.hidden = false;
    this.#chooseBlock(false);
  }

  /** Recount everything shown (after a whole VENUE_STATE). */
  refresh() {
    if (!this.#map.plan) return;
    this.#relabelBlocks();
    this.#relabelRows();
    for (const item of this.#els.seat.options) item.textContent = this.#seatText(item.value);
    this.#selectFree();
  }

  /** List the block `zone` (one of the plan's zones), as if chosen from the list. */
  showBlock(zone) {
    const index = this.#map.plan.zones.indexOf(zone);
    if (index < 0) return;
    this.#els.block.value = String(index);
    this.#chooseBlock(false);
  }

  /** One seat changed: rewrite the options that count or name it. */
  seatChanged(seatId) {
    const place = this.#map.place(seatId);
    if (!place) return;
    const zone = this.#map.plan.zones[place.zone];
    const blockItem = this.#els.block.options[place.zone];
    if (blockItem) blockItem.textContent = this.#blockText(zone);
    if (zone !== this.#zone()) return;
    const rowIndex = zone.rows.findIndex((row) => row.seats === this.#map.plan.rows[place.row]);
    const rowItem = this.#els.row.options[rowIndex];
    if (rowItem) rowItem.textContent = this.#rowText(zone.rows[rowIndex]);
    const item = Array.from(this.#els.seat.options).find((entry) => entry.value === seatId);
    if (!item) return;
    item.textContent = this.#seatText(seatId);
    if (item.selected) this.#syncHold();
  }

  #zone() {
    return this.#map.plan.zones[Number(this.#els.block.value)] ?? this.#map.plan.zones[0];
  }

  #chooseBlock(zoom) {
    const zone = this.#zone();
    this.#els.row.replaceChildren(
      ...zone.rows.map((row, index) => option(String(index), this.#rowText(row))),
    );
    this.#fillSeats();
    if (zoom) this.#onBlock(zone);
  }

  #fillSeats() {
    const row = this.#zone().rows[Number(this.#els.row.value)] ?? this.#zone().rows[0];
    this.#els.seat.replaceChildren(...row.seats.map((id) => option(id, this.#seatText(id))));
    this.#selectFree();
  }

  /** Keep the chosen seat if it is free, else choose the row's first free seat. */
  #selectFree() {
    const chosen = this.#els.seat.value;
    if (!this.#map.isFree(this.#map.get(chosen))) {
      const ids = Array.from(this.#els.seat.options, (item) => item.value);
      const free = ids.find((id) => this.#map.isFree(this.#map.get(id)));
      if (free) this.#els.seat.value = free;
    }
    this.#syncHold();
  }

  #syncHold() {
    const seat = this.#map.get(this.#els.seat.value);
    this.#els.hold.disabled = !this.#map.isFree(seat);
  }

  #relabelBlocks() {
    const zones = this.#map.plan.zones;
    for (const item of this.#els.block.options) {
      item.textContent = this.#blockText(zones[Number(item.value)]);
    }
  }

  #relabelRows() {
    const rows = this.#zone().rows;
    for (const item of this.#els.row.options) {
      item.textContent = this.#rowText(rows[Number(item.value)]);
    }
  }

  #free(ids) {
    return ids.filter((id) => this.#map.isFree(this.#map.get(id))).length;
  }

  #blockText(zone) {
    const ids = zone.rows.flatMap((row) => row.seats);
    return `${zone.name}: ${this.#free(ids)} of ${ids.length} seats available`;
  }

  #rowText(row) {
    return `Row ${row.label}: ${this.#free(row.seats)} of ${row.seats.length} available`;
  }

  #seatText(seatId) {
    const seat = this.#map.get(seatId);
    const place = this.#map.place(seatId);
    const price = this.#price(place.category);
    const parts = [`Seat ${place.number}`, this.#map.describe(seat)];
    if (price) parts.push(price);
    if (place.category) parts.push(place.category);
    return parts.join(', ');
  }
}

function option(value, text) {
  const el = document.createElement('option');
  el.value = value;
  el.textContent = text;
  return el;
}
