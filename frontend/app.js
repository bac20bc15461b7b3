/**
 * The live seat booking page: wires the connection, the seat map, the cart and the
 * orders.
 *
 * The event shown is `/?event=ID`, else the edge's default event; the other events
 * are listed as links. Its plan (`GET /api/events/{id}/plan`, cached by the browser)
 * is drawn once as SVG, its prices (`GET /api/events/{id}`) fill the legend, the
 * step-through and the cart. A venue without a plan (the seed's grid, which names no
 * event) is drawn as a grid from the rows and columns of its seats.
 *
 * Protocol (SPEC.md): on WELCOME we SUBSCRIBE with the stored session token, the event,
 * `compact: true` and `batch: true`; the SUBSCRIBE_ACK names our user and our holder
 * tag and carries the token to keep (a fresh one when ours no longer verified);
 * VENUE_STATE, compact (only seats that are not available) or full, sets every seat
 * (and resyncs after every reconnect); SEAT_UPDATES (a tick's changes, in version
 * order) repaint their seats one by one, as a SEAT_UPDATE would; CART says what our
 * cart is (after the VENUE_STATE, after each cart command that succeeded, and whenever
 * it changes by other means). We send ADD_TO_CART, REMOVE_FROM_CART, BEST_AVAILABLE,
 * CHECKOUT and BOOK_CART; each is answered by its *_RESPONSE (or an ERROR), which may
 * carry a renewed session token. A hold is ours when its `holder` is our tag, never
 * because of its user id. Server text only ever reaches the page through textContent.
 * Frames are handled one after another, so updates that arrive while a plan is still
 * loading wait for it.
 */

import { BestAvailableForm } from './js/best-available.js';
import { bookingKey, forgetBookingKey } from './js/booking-key.js';
import { CartPanel } from './js/cart.js';
import { fetchEvents } from './js/catalog.js';
import { serverNow, syncClock } from './js/clock.js';
import { Connection } from './js/connection.js';
import { markCurrent, showEvents } from './js/events-list.js';
import { Tickets } from './js/orders.js';
import { failureText, successText } from './js/outcomes.js';
import { Requests } from './js/requests.js';
import { BOOKED, HELD } from './js/seatmap.js';
import { loadSession, saveSession } from './js/session.js';
import { ConnectionIndicator, Messages } from './js/status.js';
import { VenueView } from './js/venue-view.js';

const REQUEST_TIMEOUT_MS = 10_000;
const MAX_MESSAGE_LENGTH = 300;

const byId = (id) => document.getElementById(id);

/** The page's controller: one per page, started once the module loads. */
export class SeatBookingApp {
  #session = loadSession();
  /** Whether the user has been told the connection is down. */
  #toldDown = false;
  /** The event asked for in the URL, then the one the edge shows (null: the seed's venue). */
  #eventId = new URLSearchParams(location.search).get('event');
  /** Event id → name, from the events list, for My tickets. */
  #eventNames = new Map();
  /** Frames wait here for the one before them (a VENUE_STATE may wait for its plan). */
  #frames = Promise.resolve();
  /** Whether a hold asked for from the lists should move focus to Book once it is ours. */
  #focusBook = false;
  /** A BOOK_CART the dropped connection left unanswered, sent again once live. */
  #resend = null;

  #grid = byId('seat-map');
  #messages = new Messages(byId('messages'));
  #indicator = new ConnectionIndicator(byId('connection-status'), byId('connection-text'));
  #venue = new VenueView(
    {
      viewport: byId('map-viewport'),
      map: this.#grid,
      zoomIn: byId('zoom-in'),
      zoomOut: byId('zoom-out'),
      zoomFit: byId('zoom-fit'),
      legend: byId('legend'),
      seatInfo: byId('seat-info'),
      blocks: byId('blocks'),
      blocksList: byId('blocks-list'),
      steps: byId('step-through'),
      stepBlock: byId('step-block'),
      stepRow: byId('step-row'),
      stepSeat: byId('step-seat'),
      stepHold: byId('step-hold'),
    },
    {
      onChoose: (seatId) => this.#chooseSeat(seatId),
      onStepHold: (seatId) => {
        this.#focusBook = true;
        this.#chooseSeat(seatId);
      },
    },
  );
  #map = this.#venue.map;
  #cart = new CartPanel(
    {
      root: byId('cart-panel'),
      title: byId('panel-title'),
      empty: byId('cart-empty'),
      seats: byId('cart-seats'),
      total: byId('cart-total'),
      totalCount: byId('cart-total-count'),
      totalAmount: byId('cart-total-amount'),
      countdown: byId('countdown'),
      countdownText: byId('countdown-text'),
      countdownFill: byId('countdown-fill'),
      checkoutArea: byId('checkout'),
      checkout: byId('checkout-btn'),
      form: byId('checkout-form'),
      details: byId('buyer-details'),
      name: byId('buyer-name'),
      email: byId('buyer-email'),
      book: byId('book-btn'),
      confirmation: byId('confirmation'),
      confirmationRef: byId('confirmation-ref'),
      confirmationSeats: byId('confirmation-seats'),
      confirmationTotal: byId('confirmation-total'),
    },
    {
      describe: (seatId) => this.#describe(seatId),
      prices: () => this.#venue.prices,
      now: serverNow,
      announce: (text) => this.#messages.say(text),
      onRemove: (seatId) => this.#request('REMOVE_FROM_CART', { seat_id: seatId }, seatId),
      onCheckout: () => this.#request('CHECKOUT', {}),
      onBook: () => this.#book(),
    },
  );
  #best = new BestAvailableForm(
    {
      form: byId('best'),
      quantity: byId('best-quantity'),
      category: byId('best-category'),
      split: byId('best-split'),
      accessible: byId('best-accessible'),
      submit: byId('best-btn'),
    },
    { onAsk: (request) => this.#request('BEST_AVAILABLE', request) },
  );
  #tickets = new Tickets(
    { root: byId('tickets'), list: byId('tickets-list') },
    {
      shown: () => this.#venue.eventId,
      seatName: (seatId) => this.#describe(seatId).name,
      eventName: (eventId) => this.#eventNames.get(eventId) ?? eventId,
      onBooked: (seatIds) => this.#map.markMyBookings(seatIds),
    },
  );
  #connection = new Connection(socketUrl(), {
    onFrame: (type, data) => this.#onFrame(type, data),
    onClose: () => this.#onClose(),
  });
  #requests = new Requests(this.#connection, {
    timeoutMs: REQUEST_TIMEOUT_MS,
    onBusy: (busy) => {
      this.#cart.setBusy(busy);
      this.#best.setBusy(busy);
    },
    onTimeout: () =>
      this.#messages.say(
        'No answer from the server. The map keeps itself up to date; check it and try again.',
        'error',
      ),
  });
  #handlers = {
    WELCOME: (data) => this.#onWelcome(data),
    SUBSCRIBE_ACK: (data) => this.#onSubscribeAck(data),
    VENUE_STATE: (data) => this.#onVenueState(data),
    SEAT_UPDATE: (data) => this.#onSeatUpdate(data),
    SEAT_UPDATES: (data) => (data.updates ?? []).forEach((update) => this.#onSeatUpdate(update)),
    CART: (data) => this.#onCart(data),
    ADD_TO_CART_RESPONSE: (data) => this.#onAnswer('ADD_TO_CART', data),
    REMOVE_FROM_CART_RESPONSE: (data) => this.#onAnswer('REMOVE_FROM_CART', data),
    BEST_AVAILABLE_RESPONSE: (data) => this.#onAnswer('BEST_AVAILABLE', data),
    CHECKOUT_RESPONSE: (data) => this.#onAnswer('CHECKOUT', data),
    BOOK_CART_RESPONSE: (data) => this.#onAnswer('BOOK_CART', data),
    ERROR: (data) => this.#onError(data),
  };

  /** Show the page's initial state, start fetching the event's plan, and connect. */
  start() {
    this.#map.setHolder(this.#session.holder);
    byId('user-id').textContent = this.#session.userId;
    this.#cart.show(null);
    if (this.#eventId !== null) this.#venue.load(this.#eventId);
    fetchEvents().then(
      (events) => {
        this.#eventNames = showEvents(byId('events'), byId('events-list'), events, this.#eventId);
      },
      () => {},
    );
    this.#connection.start();
  }

  #onFrame(type, data) {
    if (!Object.hasOwn(this.#handlers, type)) return;
    this.#frames = this.#frames
      .then(() => this.#handlers[type](data))
      .catch((error) => console.error('frame %s failed', type, error));
  }

  #onClose() {
    this.#grid.setAttribute('aria-busy', 'true');
    this.#grid.classList.add('stale');
    const wasLive = this.#indicator.state === 'live';
    this.#indicator.set('reconnecting');
    if (!this.#toldDown) {
      this.#toldDown = true;
      this.#messages.say(
        wasLive ? 'Connection lost. Reconnecting…' : 'Cannot reach the server. Retrying…',
        'error',
      );
    }
    const dropped = this.#requests.drop();
    if (dropped?.type === 'BOOK_CART') {
      // The same key again: if the first went through, the answer is that order.
      this.#resend = dropped.data;
      this.#messages.say('The connection dropped while booking. It is sent again once back.');
    } else if (dropped !== null) {
      // Last, so that this more specific message is the one shown.
      this.#messages.say(
        'The connection dropped before the server answered. Check your cart once it is back.',
        'error',
      );
    }
  }

  #onWelcome(data) {
    syncClock(data.server_time);
    this.#subscribe();
  }

  #subscribe() {
    const data = { user_id: this.#session.userId, compact: true, batch: true };
    if (this.#session.token) data.session_token = this.#session.token;
    if (this.#eventId !== null) data.event_id = this.#eventId;
    this.#connection.send('SUBSCRIBE', data);
  }

  #onSubscribeAck(data) {
    if (data.success === false) {
      // The seat map still follows; the next seat request tries to start a session again.
      const reason = text(data.message) || 'Could not start a session with the server.';
      this.#messages.say(reason, 'error');
      // No event to show (an unknown ?event=): say so where the map would be.
      if (!this.#venue.drawn) byId('available-count').textContent = reason;
      return;
    }
    const info = asObject(data.data);
    // Whatever token the edge sends is the one to keep: a fresh one replaces a stale one.
    if (typeof info.session_token === 'string') this.#session.token = info.session_token;
    if (typeof info.user_id === 'string') this.#session.userId = info.user_id;
    this.#session.holder = typeof info.holder === 'string' ? info.holder : null;
    saveSession(this.#session);
    this.#map.setHolder(this.#session.holder);
    if (this.#venue.drawn) this.#venue.refresh();
    byId('user-id').textContent = this.#session.userId;
  }

  async #onVenueState(data) {
    if (!Array.isArray(data.seats)) return;
    if (!(await this.#showVenue(data))) return;
    if (Number.isFinite(data.hold_seconds)) this.#showHoldSeconds(data.hold_seconds);
    this.#map.render(data);
    this.#venue.refresh();
    this.#grid.setAttribute('aria-busy', 'false');
    this.#grid.classList.remove('stale');
    this.#indicator.set('live');
    this.#connection.markHealthy();
    if (this.#toldDown) {
      this.#toldDown = false;
      this.#messages.say('Connected. The seat map is up to date.', 'success');
    }
    this.#showAvailable();
    const resend = this.#resend;
    this.#resend = null;
    if (resend !== null) this.#request('BOOK_CART', resend);
  }

  #onSeatUpdate(data) {
    if (typeof data.event_id === 'string' && data.event_id !== this.#venue.eventId) return;
    const result = this.#map.apply(data);
    if (result === null) return;
    const { previous } = result;
    if (this.#map.isMine(previous) && data.event_type === 'auto_released') {
      // One per seat of the cart, all alike: the message line shows it once.
      this.#messages.say('Time ran out, so the seats in your cart were released.', 'error');
    }
    this.#showAvailable();
  }

  /** The cart as the server has it now. */
  #onCart(data) {
    const shown = this.#venue.eventId;
    if (typeof data.event_id === 'string' && shown !== null && data.event_id !== shown) return;
    this.#showCart(data);
  }

  #showCart(cart) {
    this.#cart.show(cart);
    const booking = this.#requests.has('BOOK_CART') || this.#resend !== null;
    // An empty cart ends the booking attempt: the next one gets a new key.
    if (this.#cart.size === 0 && !booking) forgetBookingKey();
    if (this.#focusBook && this.#cart.size > 0 && !byId('book-btn').disabled) {
      this.#focusBook = false;
      byId('book-btn').focus();
    }
  }

  #onAnswer(type, data) {
    const request = this.#requests.settle(type);
    const info = asObject(data.data);
    this.#keepRenewedToken(info);
    if (data.success !== true) {
      this.#focusBook = false;
      this.#messages.say(text(data.message) || failureText(type), 'error');
      return;
    }
    if (info.cart) this.#showCart(info.cart);
    // The seats chosen for us may be outside the part of the map in view.
    if (type === 'BEST_AVAILABLE') this.#venue.reveal(String(info.seat_ids?.[0]));
    if (type === 'BOOK_CART') {
      forgetBookingKey();
      this.#cart.confirm(info.order);
      this.#tickets.refresh(this.#session.token);
    }
    const name = (seatId) => this.#describe(seatId).name;
    this.#messages.say(text(successText(type, info, request?.context ?? null, name)), 'success');
  }

  /** A response may carry a renewed token for this session; it replaces the stored one. */
  #keepRenewedToken(info) {
    const token = info.session_token;
    if (typeof token !== 'string' || token === this.#session.token) return;
    this.#session.token = token;
    saveSession(this.#session);
  }

  #onError(data) {
    this.#requests.fail();
    this.#focusBook = false;
    this.#messages.say(text(data.error) || 'The server reported an error.', 'error');
  }

  /** A click or Enter on a seat: add it to the cart, take it out, or say why not. */
  #chooseSeat(seatId) {
    const seat = this.#map.get(seatId);
    if (seat === null) return;
    if (this.#cart.has(seatId) || this.#map.isMine(seat)) {
      this.#request('REMOVE_FROM_CART', { seat_id: seatId }, seatId);
    } else if (seat.status === BOOKED) {
      const mine = this.#map.isMyBooking(seat);
      this.#messages.say(
        mine ? `You booked seat ${seatId}.` : `Seat ${seatId} is already booked.`,
        mine ? 'info' : 'error',
      );
    } else if (seat.blocked === true) {
      this.#messages.say(`Seat ${seatId} is not for sale.`, 'error');
    } else if (seat.status === HELD) {
      this.#messages.say(
        `Seat ${seatId} is held by someone else right now. It frees up if they do not book it.`,
        'error',
      );
    } else {
      this.#request('ADD_TO_CART', { seat_ids: [seatId] }, seatId);
    }
  }

  #book() {
    this.#request('BOOK_CART', { idempotency_key: bookingKey(), ...this.#cart.buyer() });
  }

  /** Send one request (one is in flight at a time, the others wait their turn). */
  #request(type, data, context = null) {
    const sent = this.#requests.send(type, data, context);
    if (sent === 'full') {
      this.#messages.say('Still waiting for the answers to your last requests…');
    } else if (sent === 'offline') {
      this.#focusBook = false;
      this.#messages.say(
        'Not connected to the server right now. It reconnects by itself; try again in a moment.',
        'error',
      );
    }
  }

  /**
   * A seat as the cart and the orders show it: its full name ("Stalls, Row A, Seat 1"),
   * its place in its block ("Row A, Seat 1"), block and category, and its price.
   */
  #describe(seatId) {
    const place = this.#map.place(seatId);
    if (place === null) return { name: seatId, place: seatId, where: '', price: null };
    const zone = this.#map.plan.zones[place.zone]?.name ?? '';
    const { category } = place;
    return {
      name: this.#map.get(seatId).name,
      place: `Row ${place.rowLabel}, Seat ${place.number}`,
      where: [zone, category === zone ? '' : category].filter(Boolean).join(' · '),
      price: this.#venue.prices.of(category),
    };
  }

  #showAvailable() {
    byId('available-count').textContent =
      `${this.#map.availableCount()} of ${this.#map.size} seats available`;
  }

  /** Draw the VENUE_STATE's event if it is new to the page; false if it has no plan to show. */
  async #showVenue(data) {
    const shown = await this.#venue.show(data);
    if (shown === false) {
      byId('available-count').textContent = 'This event has no seating plan to show.';
      return false;
    }
    if (shown === true) return true;
    this.#eventId = this.#venue.eventId;
    this.#showEvent(shown.info);
    this.#best.load(this.#map.plan);
    // Seats of this event are named once its plan is drawn.
    this.#tickets.refresh(this.#session.token);
    markCurrent(byId('events-list'), this.#eventId);
    return true;
  }

  #showEvent(info) {
    const title = byId('event-title');
    title.hidden = typeof info?.name !== 'string';
    title.textContent = info?.name ?? '';
    if (typeof info?.name === 'string') document.title = `${info.name} · Concert Seat Booking`;
    if (Number.isFinite(info?.hold_seconds)) this.#showHoldSeconds(info.hold_seconds);
  }

  #showHoldSeconds(seconds) {
    this.#cart.setHoldSeconds(seconds);
    byId('hold-seconds').textContent = String(Math.round(seconds));
  }
}

function socketUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

function text(value) {
  return typeof value === 'string' ? value.slice(0, MAX_MESSAGE_LENGTH) : '';
}

function asObject(value) {
  return value !== null && typeof value === 'object' ? value : {};
}

new SeatBookingApp().start();
