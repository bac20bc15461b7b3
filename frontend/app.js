/**
 * The live seat booking page: wires the connection, the seat map and the panel.
 *
 * The event shown is `/?event=ID`, else the edge's default event; the other events
 * are listed as links. Its plan (`GET /api/events/{id}/plan`, cached by the browser)
 * is drawn once as SVG, its prices (`GET /api/events/{id}`) fill the legend and the
 * step-through. A venue without a plan (the seed's grid, which names no event) is drawn
 * as a grid from the rows and columns of its seats.
 *
 * Protocol (SPEC.md): on WELCOME we SUBSCRIBE with the stored session token, the event
 * and `compact: true`; the SUBSCRIBE_ACK names our user and our holder tag and carries
 * the token to keep (a fresh one when ours no longer verified); VENUE_STATE, compact
 * (only seats that are not available) or full, sets every seat (and resyncs after every
 * reconnect); SEAT_UPDATEs repaint single seats; *_RESPONSE and ERROR frames answer
 * our SELECT_SEAT / BOOK_SEAT / RELEASE_SEAT, and a response may carry a renewed
 * session token. A hold is ours when its `holder` is our tag,
 * never because of its user id. Server text only ever reaches the page through
 * textContent. Frames are handled one after another, so updates that arrive while a
 * plan is still loading wait for it.
 */

import { fetchEvents } from './js/catalog.js';
import { serverNow, syncClock } from './js/clock.js';
import { Connection } from './js/connection.js';
import { markCurrent, showEvents } from './js/events-list.js';
import { Panel } from './js/panel.js';
import { AVAILABLE, BOOKED, HELD } from './js/seatmap.js';
import { loadSession, saveSession } from './js/session.js';
import { ConnectionIndicator, Messages } from './js/status.js';
import { VenueView } from './js/venue-view.js';

const REQUEST_TIMEOUT_MS = 10_000;
const MAX_MESSAGE_LENGTH = 300;

const OUTCOMES = {
  SELECT_SEAT: {
    success: (id) => `Seat ${id} is held for you. Book it before the timer runs out.`,
    failure: (id) => `Could not hold seat ${id}.`,
  },
  BOOK_SEAT: {
    success: (id) => `Booked! Seat ${id} is yours.`,
    failure: (id) => `Could not book seat ${id}.`,
  },
  RELEASE_SEAT: {
    success: (id) => `Seat ${id} released.`,
    failure: (id) => `Could not release seat ${id}.`,
  },
};

const byId = (id) => document.getElementById(id);

/** The page's controller: one per page, started once the module loads. */
export class SeatBookingApp {
  #session = loadSession();
  /** The seat the panel is about. */
  #current = null;
  /** The request awaiting its answer: {action, seatId, timer}. */
  #pending = null;
  /** A seat the server confirmed holding for us before its SEAT_UPDATE arrived. */
  #confirmedHold = null;
  /** Whether the user has been told the connection is down. */
  #toldDown = false;
  /** The event asked for in the URL, then the one the edge shows (null: the seed's venue). */
  #eventId = new URLSearchParams(location.search).get('event');
  /** Frames wait here for the one before them (a VENUE_STATE may wait for its plan). */
  #frames = Promise.resolve();
  /** Whether a hold asked for from the lists should move focus to Book once it is ours. */
  #focusBook = false;

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
  #panel = new Panel(
    {
      title: byId('panel-seat'),
      hint: byId('panel-hint'),
      countdown: byId('countdown'),
      countdownText: byId('countdown-text'),
      countdownFill: byId('countdown-fill'),
      book: byId('book-btn'),
      release: byId('release-btn'),
    },
    {
      onBook: () => this.#request('BOOK_SEAT', this.#current),
      onRelease: () => this.#request('RELEASE_SEAT', this.#current),
      now: serverNow,
      announce: (text) => this.#messages.say(text),
    },
  );
  #connection = new Connection(socketUrl(), {
    onFrame: (type, data) => this.#onFrame(type, data),
    onClose: () => this.#onClose(),
  });
  #handlers = {
    WELCOME: (data) => this.#onWelcome(data),
    SUBSCRIBE_ACK: (data) => this.#onSubscribeAck(data),
    VENUE_STATE: (data) => this.#onVenueState(data),
    SEAT_UPDATE: (data) => this.#onSeatUpdate(data),
    SELECT_SEAT_RESPONSE: (data) => this.#onOutcome('SELECT_SEAT', data),
    BOOK_SEAT_RESPONSE: (data) => this.#onOutcome('BOOK_SEAT', data),
    RELEASE_SEAT_RESPONSE: (data) => this.#onOutcome('RELEASE_SEAT', data),
    ERROR: (data) => this.#onError(data),
  };

  /** Show the page's initial state, start fetching the event's plan, and connect. */
  start() {
    this.#map.setHolder(this.#session.holder);
    this.#showUser();
    this.#panel.idle();
    if (this.#eventId !== null) this.#venue.load(this.#eventId);
    fetchEvents().then(
      (events) => showEvents(byId('events'), byId('events-list'), events, this.#eventId),
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
    // Last, so that this more specific message is the one shown.
    this.#failPending(
      'The connection dropped before the server answered. Check the map once it is back.',
    );
  }

  #onWelcome(data) {
    syncClock(data.server_time);
    this.#subscribe();
  }

  #subscribe() {
    const data = { user_id: this.#session.userId, compact: true };
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
    this.#showUser();
    this.#refreshPanel();
  }

  async #onVenueState(data) {
    if (!Array.isArray(data.seats)) return;
    if (!(await this.#showVenue(data))) return;
    if (Number.isFinite(data.hold_seconds)) this.#showHoldSeconds(data.hold_seconds);
    this.#map.render(data);
    this.#venue.refresh();
    this.#confirmedHold = null;
    this.#grid.setAttribute('aria-busy', 'false');
    this.#grid.classList.remove('stale');
    this.#indicator.set('live');
    this.#connection.markHealthy();
    if (this.#toldDown) {
      this.#toldDown = false;
      this.#messages.say('Connected. The seat map is up to date.', 'success');
    }
    this.#showAvailable();
    this.#refreshPanel();
  }

  #onSeatUpdate(data) {
    if (typeof data.event_id === 'string' && data.event_id !== this.#venue.eventId) return;
    const result = this.#map.apply(data);
    if (result === null) return;
    const { seat, previous } = result;
    if (seat.id === this.#confirmedHold) this.#confirmedHold = null;
    const wasMine = this.#map.isMine(previous);
    if (wasMine && data.event_type === 'auto_released') {
      const notice = `Your hold on seat ${seat.id} ran out, so the seat was released.`;
      this.#messages.say(notice, 'error');
    }
    this.#showAvailable();
    if (wasMine || this.#map.isMine(seat) || seat.id === this.#current) this.#refreshPanel();
  }

  #onOutcome(action, data) {
    const info = asObject(data.data);
    const seatId =
      typeof info.seat_id === 'string' ? info.seat_id : (this.#pending?.seatId ?? this.#current);
    if (this.#pending?.action === action) this.#settle();
    this.#keepRenewedToken(info);
    // A response that carries the seat at a version is as good as its SEAT_UPDATE.
    if (info.seat && Number.isFinite(info.version)) this.#map.apply({ ...info, seat_id: seatId });
    if (data.success === true) {
      if (action === 'SELECT_SEAT') {
        this.#current = seatId;
        if (!this.#map.isMine(this.#map.get(seatId))) this.#confirmedHold = seatId;
      }
      this.#messages.say(OUTCOMES[action].success(seatId), 'success');
    } else {
      this.#messages.say(text(data.message) || OUTCOMES[action].failure(seatId), 'error');
    }
    this.#refreshPanel();
    this.#showAvailable();
  }

  /** A response may carry a renewed token for this session; it replaces the stored one. */
  #keepRenewedToken(info) {
    if (typeof info.session_token !== 'string' || info.session_token === this.#session.token) {
      return;
    }
    this.#session.token = info.session_token;
    saveSession(this.#session);
  }

  #onError(data) {
    if (this.#pending) this.#settle();
    this.#messages.say(text(data.error) || 'The server reported an error.', 'error');
    this.#refreshPanel();
  }

  /** A click or Enter on a seat: hold it, show my hold, or say why not. */
  #chooseSeat(seatId) {
    const seat = this.#map.get(seatId);
    if (seat === null) return;
    if (this.#map.isMine(seat)) {
      this.#current = seatId;
      this.#refreshPanel();
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
      this.#request('SELECT_SEAT', seatId);
    }
  }

  /** Send one seat request; only one is in flight at a time. */
  #request(action, seatId) {
    if (seatId === null) return;
    if (this.#pending) {
      this.#messages.say('Still waiting for the answer to your last request…');
      return;
    }
    if (!this.#connection.send(action, { seat_id: seatId, user_id: this.#session.userId })) {
      this.#messages.say(
        'Not connected to the server right now. It reconnects by itself; try again in a moment.',
        'error',
      );
      return;
    }
    const timer = setTimeout(() => this.#onRequestTimeout(), REQUEST_TIMEOUT_MS);
    this.#pending = { action, seatId, timer };
    this.#panel.setBusy(true);
    if (action === 'SELECT_SEAT') this.#current = seatId;
    this.#refreshPanel();
  }

  #settle() {
    clearTimeout(this.#pending.timer);
    this.#pending = null;
    this.#panel.setBusy(false);
  }

  #failPending(message) {
    if (!this.#pending) return;
    this.#settle();
    this.#messages.say(message, 'error');
    this.#refreshPanel();
  }

  #onRequestTimeout() {
    this.#pending = null;
    this.#panel.setBusy(false);
    this.#messages.say(
      'No answer from the server. The map keeps itself up to date; check it and try again.',
      'error',
    );
    this.#refreshPanel();
  }

  /** Update the panel; if that disabled the button that had focus, focus its seat instead. */
  #refreshPanel() {
    const shown = this.#current;
    const focusInPanel = this.#panel.hasFocus();
    this.#showPanel();
    const focused = document.activeElement;
    const book = byId('book-btn');
    if (this.#focusBook && !book.disabled) {
      this.#focusBook = false;
      book.focus();
    } else if (focusInPanel && shown !== null && (focused === document.body || focused?.disabled)) {
      this.#map.focus(shown);
    }
  }

  /** Show the current seat if it is (about to be) mine, else another hold of mine, else nothing. */
  #showPanel() {
    const seat = this.#current === null ? null : this.#map.get(this.#current);
    if (seat !== null) {
      if (this.#map.isMine(seat)) return this.#panel.holding(seat);
      const requested = this.#pending?.seatId === seat.id || this.#confirmedHold === seat.id;
      if (seat.status === AVAILABLE && requested) return this.#panel.requesting(seat);
      if (this.#map.isMyBooking(seat)) return this.#panel.booked(seat);
    }
    const other = this.#map.myHolds()[0];
    this.#current = other?.id ?? null;
    return other ? this.#panel.holding(other) : this.#panel.idle();
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
    this.#panel.setHoldSeconds(seconds);
    byId('hold-seconds').textContent = String(Math.round(seconds));
  }

  #showUser() {
    byId('user-id').textContent = this.#session.userId;
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
