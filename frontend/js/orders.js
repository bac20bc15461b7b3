/**
 * My tickets: this session's orders on every event (`GET /api/orders` with the session
 * token in `X-Session-Token`), newest first, each with its reference, event, seats and
 * total. The list comes from the server, so it survives a reload; it is shown only
 * once there is an order to show.
 */

import { Prices } from './prices.js';

const STATUS_TEXT = { cancelled: 'Cancelled' };

/** `GET /api/orders` as this session; the orders, or null when there is no token yet. */
async function fetchOrders(token) {
  if (!token) return null;
  const response = await fetch('/api/orders', {
    headers: { Accept: 'application/json', 'X-Session-Token': token },
  });
  if (!response.ok) throw new Error(`/api/orders answered ${response.status}`);
  const body = await response.json();
  return Array.isArray(body?.orders) ? body.orders : [];
}

/** The seats `orders` (not cancelled) booked on event `eventId`. */
function bookedSeats(orders, eventId) {
  return orders
    .filter((order) => order?.event_id === eventId && order.status !== 'cancelled')
    .flatMap((order) => (Array.isArray(order.seats) ? order.seats : []))
    .map((seat) => seat?.id)
    .filter((id) => typeof id === 'string');
}

export class Tickets {
  #els;
  #names;

  /**
   * @param {{root: HTMLElement, list: HTMLElement}} els
   * @param {{shown: () => string | null, seatName: (seatId: string) => string,
   *          eventName: (eventId: string) => string,
   *          onBooked: (seatIds: string[]) => void}} names  shown: the event on the map,
   *          whose seats are named by seatName (others by id); onBooked: the seats the
   *          orders booked on that event
   */
  constructor(els, names) {
    this.#els = els;
    this.#names = names;
  }

  /** Fetch this session's orders again and show them; a failure leaves the list as it was. */
  refresh(token) {
    fetchOrders(token).then(
      (orders) => {
        if (orders === null) return;
        this.show(orders);
        this.#names.onBooked(bookedSeats(orders, this.#names.shown()));
      },
      (error) => console.warn('my tickets not loaded', error),
    );
  }

  /** Show `orders` (order bodies, newest first). */
  show(orders) {
    const valid = orders.filter((order) => typeof order?.reference === 'string');
    this.#els.list.replaceChildren(...valid.map((order) => this.#item(order)));
    this.#els.root.hidden = valid.length === 0;
  }

  #item(order) {
    const li = document.createElement('li');
    li.className = 'ticket';
    if (order.status === 'cancelled') li.classList.add('cancelled');
    const head = document.createElement('p');
    head.className = 'ticket-head';
    const reference = document.createElement('span');
    reference.className = 'reference';
    reference.textContent = order.reference;
    const event = document.createElement('span');
    event.className = 'ticket-event';
    event.textContent = this.#names.eventName(String(order.event_id));
    head.append(reference, event);
    const seats = document.createElement('ul');
    seats.className = 'ticket-seats';
    for (const seat of Array.isArray(order.seats) ? order.seats : []) {
      const item = document.createElement('li');
      const seatId = String(seat?.id);
      const here = order.event_id === this.#names.shown();
      item.textContent = here ? this.#names.seatName(seatId) : seatId;
      seats.append(item);
    }
    const foot = document.createElement('p');
    foot.className = 'ticket-foot';
    foot.textContent = [
      STATUS_TEXT[order.status],
      Number.isFinite(order.total) ? new Prices({}, order.currency).format(order.total) : '',
      when(order.created_at),
    ]
      .filter(Boolean)
      .join(' · ');
    li.append(head, seats, foot);
    return li;
  }
}

function when(createdAt) {
  if (typeof createdAt !== 'string') return '';
  const date = new Date(createdAt);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
