/**
 * The cart panel: the seats this session holds on the event (name, category, price,
 * a remove button each), their total, the countdown to the cart's one deadline, the
 * checkout (one extension of that deadline, the buyer's optional name and e-mail, Book)
 * and, once booked, the order's confirmation.
 *
 * It shows what the server last said the cart is (a CART frame or a response's
 * `cart`), never a local guess. Each show rebuilds only the panel's short list (a cart
 * holds a few seats); the map is not touched. Every string from the server becomes
 * textContent.
 */

import { Countdown } from './countdown.js';
import { Prices } from './prices.js';

export class CartPanel {
  #els;
  #describe;
  #prices;
  #countdown;
  /** The cart as the server last sent it: {event_id, seats, expires_at_ms, extended}. */
  #cart = { seats: [], extended: false };
  #ids = new Set();
  #busy = false;
  /** The panel's control that had focus when a request went out. */
  #focused = null;

  /**
   * @param {Object<string, HTMLElement>} els  the panel's elements, by the ids in index.html
   * @param {{describe: (seatId: string) => {name: string, place: string, where: string,
   *                                          price: number | null},
   *          prices: () => import('./prices.js').Prices, now: () => number,
   *          announce: (text: string) => void, onRemove: (seatId: string) => void,
   *          onCheckout: () => void, onBook: () => void}} options
   */
  constructor(els, { describe, prices, now, announce, onRemove, onCheckout, onBook }) {
    this.#els = els;
    this.#describe = describe;
    this.#prices = prices;
    this.#countdown = new Countdown(
      { root: els.countdown, text: els.countdownText, fill: els.countdownFill },
      { now, onWarn: (seconds) => announce(`${seconds} seconds left to book your seats.`) },
    );
    els.seats.addEventListener('click', (event) => {
      const seatId = event.target.closest?.('[data-remove]')?.dataset.remove;
      if (seatId) onRemove(seatId);
    });
    els.checkout.addEventListener('click', onCheckout);
    els.form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (els.form.reportValidity()) onBook();
    });
  }

  /** The hold length, for the countdown bar's full width. */
  setHoldSeconds(seconds) {
    this.#countdown.setHoldSeconds(seconds);
  }

  /** Whether `seatId` is in the cart. */
  has(seatId) {
    return this.#ids.has(seatId);
  }

  /** How many seats the cart holds. */
  get size() {
    return this.#ids.size;
  }

  /**
   * While a request is in flight Checkout and Book are off (a seat's remove button stays
   * on: its request waits its turn). The control that had focus is remembered: once the
   * answer has been shown, focus moves on if the answer took that control away.
   */
  setBusy(busy) {
    if (busy && this.#els.root.contains(document.activeElement)) {
      this.#focused = document.activeElement;
    }
    this.#busy = busy;
    this.#syncButtons();
    // The answer is shown in the same task as this call, so look once it has been.
    if (!busy) queueMicrotask(() => this.#focusAfterAnswer());
  }

  /**
   * If focus fell off the control that had it (turned off, hidden or gone), put it on
   * what comes next: the name field after checkout, the confirmation after booking,
   * else the cart's title.
   */
  #focusAfterAnswer() {
    const was = this.#focused;
    this.#focused = null;
    const active = document.activeElement;
    if (was === null || (active !== null && active !== document.body)) return;
    const els = this.#els;
    const next = [was, els.name, els.confirmation, els.title].find(
      (el) => el.isConnected && !el.disabled && el.getClientRects().length > 0,
    );
    next?.focus();
  }

  /** The buyer's name and e-mail as typed, leaving out empty fields. */
  buyer() {
    const buyer = {};
    const name = this.#els.name.value.trim();
    const email = this.#els.email.value.trim();
    if (name) buyer.name = name;
    if (email) buyer.email = email;
    return buyer;
  }

  /** Show the cart the server sent (null: an empty one). */
  show(cart) {
    const listed = Array.isArray(cart?.seats) ? cart.seats : [];
    const seats = listed.filter((seat) => typeof seat?.id === 'string');
    const focused = document.activeElement?.dataset?.remove ?? null;
    const before = [...this.#ids];
    this.#cart = { ...cart, seats };
    this.#ids = new Set(seats.map((seat) => seat.id));
    this.#els.seats.replaceChildren(...seats.map((seat) => this.#item(seat.id)));
    this.#els.empty.hidden = seats.length > 0;
    this.#els.checkoutArea.hidden = seats.length === 0;
    if (seats.length > 0) this.#els.confirmation.hidden = true;
    this.#showTotal(seats.map((seat) => seat.id));
    const deadline = Number.isFinite(cart?.expires_at_ms) ? cart.expires_at_ms : null;
    if (seats.length > 0 && deadline !== null) this.#countdown.run(deadline);
    else this.#countdown.stop();
    this.#syncButtons();
    if (focused !== null) this.#refocus(focused, before.indexOf(focused));
  }

  /** The order just booked: its reference, seats and total; focus moves to it from the panel. */
  confirm(order) {
    const els = this.#els;
    els.confirmationRef.textContent = typeof order?.reference === 'string' ? order.reference : '';
    const seats = Array.isArray(order?.seats) ? order.seats : [];
    els.confirmationSeats.replaceChildren(
      ...seats.map((seat) => {
        const li = document.createElement('li');
        li.textContent = this.#describe(String(seat?.id)).name;
        return li;
      }),
    );
    els.confirmationTotal.textContent = orderTotal(order);
    els.confirmation.hidden = false;
    // Booked from the panel: focus goes to what was booked (the cart empties next).
    const active = document.activeElement;
    if (active === null || active === document.body || els.root.contains(active)) {
      this.#focused = null;
      els.confirmation.focus();
    }
  }

  #item(seatId) {
    const { name, place, where, price } = this.#describe(seatId);
    const li = document.createElement('li');
    li.className = 'cart-seat';
    const label = document.createElement('span');
    label.className = 'cart-seat-name';
    label.textContent = place;
    const detail = document.createElement('span');
    detail.className = 'cart-seat-detail';
    detail.textContent = where;
    const cost = document.createElement('span');
    cost.className = 'cart-seat-price';
    cost.textContent = price === null ? '' : this.#prices().format(price);
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'cart-remove';
    remove.dataset.remove = seatId;
    remove.setAttribute('aria-label', `Remove ${name}`);
    remove.textContent = '×';
    li.append(label, detail, cost, remove);
    return li;
  }

  #showTotal(ids) {
    const prices = ids.map((id) => this.#describe(id).price);
    const count = ids.length === 1 ? '1 seat' : `${ids.length} seats`;
    this.#els.total.hidden = ids.length === 0;
    this.#els.totalCount.textContent = `Total, ${count}`;
    this.#els.totalAmount.textContent = prices.every((price) => price !== null)
      ? this.#prices().format(prices.reduce((sum, price) => sum + price, 0))
      : '';
    this.#els.book.textContent = ids.length > 1 ? `Book ${ids.length} seats` : 'Book seat';
  }

  #syncButtons() {
    const empty = this.#ids.size === 0;
    const extended = this.#cart.extended === true;
    this.#els.book.disabled = empty || this.#busy;
    this.#els.checkout.disabled = empty || this.#busy || extended;
    this.#els.checkout.textContent = extended ? 'Checkout time added' : 'Continue to checkout';
    // The buyer's details are asked for at checkout, with the time to type them.
    this.#els.details.hidden = !extended;
    this.#els.seats.setAttribute('aria-busy', String(this.#busy));
  }

  /**
   * Focus was on the remove button of the seat at `index` of the list just rebuilt: keep
   * it on that seat's button, else the one now in its place, else the cart's title.
   */
  #refocus(seatId, index) {
    const buttons = [...this.#els.seats.querySelectorAll('[data-remove]')];
    const same = buttons.find((button) => button.dataset.remove === seatId);
    (same ?? buttons[Math.min(index, buttons.length - 1)] ?? this.#els.title).focus();
  }
}

/** "Total €120.00", in the order's own currency. */
function orderTotal(order) {
  if (!Number.isFinite(order?.total)) return '';
  return `Total ${new Prices({}, order.currency).format(order.total)}`;
}
