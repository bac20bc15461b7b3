/**
 * The live seat booking page: wires the connection, the seat map and the panel.
 *
 * Protocol (SPEC.md): on WELCOME we SUBSCRIBE with the stored session token; the
 * SUBSCRIBE_ACK names our user; VENUE_STATE draws the whole map (and resyncs it
 * after every reconnect); SEAT_UPDATEs repaint single seats; *_RESPONSE and ERROR
 * frames answer our SELECT_SEAT / BOOK_SEAT / RELEASE_SEAT. Server text only ever
 * reaches the page through textContent.
 */

import { serverNow, syncClock } from './js/clock.js';
import { Connection } from './js/connection.js';
import { Panel } from './js/panel.js';
import { AVAILABLE, BOOKED, HELD, SeatMap } from './js/seatmap.js';
import { loadSession, saveSession } from './js/session.js';
import { ConnectionIndicator, Messages } from './js/status.js';

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

const FRAME_HANDLERS = {
  WELCOME: onWelcome,
  SUBSCRIBE_ACK: onSubscribeAck,
  VENUE_STATE: onVenueState,
  SEAT_UPDATE: onSeatUpdate,
  SELECT_SEAT_RESPONSE: (data) => onOutcome('SELECT_SEAT', data),
  BOOK_SEAT_RESPONSE: (data) => onOutcome('BOOK_SEAT', data),
  RELEASE_SEAT_RESPONSE: (data) => onOutcome('RELEASE_SEAT', data),
  ERROR: onError,
};

const byId = (id) => document.getElementById(id);

const session = loadSession();
/** The seat the panel is about. */
let current = null;
/** The request awaiting its answer: {action, seatId, timer}. */
let pending = null;
/** A seat the server confirmed holding for us before its SEAT_UPDATE arrived. */
let confirmedHold = null;
/** Whether the user has been told the connection is down. */
let toldDown = false;

const grid = byId('seat-map');
const messages = new Messages(byId('messages'));
const indicator = new ConnectionIndicator(byId('connection-status'), byId('connection-text'));
const map = new SeatMap(grid, chooseSeat);
const panel = new Panel(
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
    onBook: () => request('BOOK_SEAT', current),
    onRelease: () => request('RELEASE_SEAT', current),
    now: serverNow,
    announce: (text) => messages.say(text),
  },
);
const connection = new Connection(socketUrl(), { onFrame, onClose });

map.setUser(session.userId);
showUser();
panel.idle();
connection.start();

function socketUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

function onFrame(type, data) {
  if (Object.hasOwn(FRAME_HANDLERS, type)) FRAME_HANDLERS[type](data);
}

function onClose() {
  grid.setAttribute('aria-busy', 'true');
  grid.classList.add('stale');
  const wasLive = indicator.state === 'live';
  indicator.set('reconnecting');
  if (!toldDown) {
    toldDown = true;
    messages.say(
      wasLive ? 'Connection lost. Reconnecting…' : 'Cannot reach the server. Retrying…',
      'error',
    );
  }
  // Last, so that this more specific message is the one shown.
  failPending('The connection dropped before the server answered. Check the map once it is back.');
}

function onWelcome(data) {
  syncClock(data.server_time);
  subscribe();
}

function subscribe() {
  const data = { user_id: session.userId };
  if (session.token) data.session_token = session.token;
  connection.send('SUBSCRIBE', data);
}

function onSubscribeAck(data) {
  if (data.success === false) {
    // The seat map still follows; the next seat request tries to start a session again.
    messages.say(text(data.message) || 'Could not start a session with the server.', 'error');
    return;
  }
  const info = asObject(data.data);
  if (typeof info.session_token === 'string') session.token = info.session_token;
  if (typeof info.user_id === 'string') session.userId = info.user_id;
  saveSession(session);
  map.setUser(session.userId);
  showUser();
  refreshPanel();
}

function onVenueState(data) {
  if (!Array.isArray(data.seats)) return;
  if (Number.isFinite(data.hold_seconds)) showHoldSeconds(data.hold_seconds);
  map.render(data);
  confirmedHold = null;
  grid.setAttribute('aria-busy', 'false');
  grid.classList.remove('stale');
  indicator.set('live');
  connection.markHealthy();
  if (toldDown) {
    toldDown = false;
    messages.say('Connected. The seat map is up to date.', 'success');
  }
  showAvailable();
  refreshPanel();
}

function onSeatUpdate(data) {
  const result = map.apply(data);
  if (result === null) return;
  const { seat, previous } = result;
  if (seat.id === confirmedHold) confirmedHold = null;
  const wasMine = isMyHold(previous);
  if (wasMine && data.event_type === 'auto_released') {
    messages.say(`Your hold on seat ${seat.id} ran out, so the seat was released.`, 'error');
  }
  showAvailable();
  if (wasMine || isMyHold(seat) || seat.id === current) refreshPanel();
}

function onOutcome(action, data) {
  const info = asObject(data.data);
  const seatId = typeof info.seat_id === 'string' ? info.seat_id : (pending?.seatId ?? current);
  if (pending?.action === action) settle();
  // A response that carries the seat at a version is as good as its SEAT_UPDATE.
  if (info.seat && Number.isFinite(info.version)) map.apply({ ...info, seat_id: seatId });
  if (data.success === true) {
    if (action === 'SELECT_SEAT') {
      current = seatId;
      if (!isMyHold(map.get(seatId))) confirmedHold = seatId;
    }
    messages.say(OUTCOMES[action].success(seatId), 'success');
  } else {
    messages.say(text(data.message) || OUTCOMES[action].failure(seatId), 'error');
  }
  refreshPanel();
  showAvailable();
}

function onError(data) {
  if (pending) settle();
  messages.say(text(data.error) || 'The server reported an error.', 'error');
  refreshPanel();
}

/** A click or Enter on a seat: hold it, show my hold, or say why not. */
function chooseSeat(seatId) {
  const seat = map.get(seatId);
  if (seat === null) return;
  if (isMyHold(seat)) {
    current = seatId;
    refreshPanel();
  } else if (seat.status === BOOKED) {
    messages.say(
      isMyBooking(seat) ? `You booked seat ${seatId}.` : `Seat ${seatId} is already booked.`,
      isMyBooking(seat) ? 'info' : 'error',
    );
  } else if (seat.status === HELD) {
    messages.say(
      `Seat ${seatId} is held by someone else right now. It frees up if they do not book it.`,
      'error',
    );
  } else {
    request('SELECT_SEAT', seatId);
  }
}

/** Send one seat request; only one is in flight at a time. */
function request(action, seatId) {
  if (seatId === null) return;
  if (pending) {
    messages.say('Still waiting for the answer to your last request…');
    return;
  }
  if (!connection.send(action, { seat_id: seatId, user_id: session.userId })) {
    messages.say(
      'Not connected to the server right now. It reconnects by itself; try again in a moment.',
      'error',
    );
    return;
  }
  pending = { action, seatId, timer: setTimeout(onRequestTimeout, REQUEST_TIMEOUT_MS) };
  panel.setBusy(true);
  if (action === 'SELECT_SEAT') current = seatId;
  refreshPanel();
}

function settle() {
  clearTimeout(pending.timer);
  pending = null;
  panel.setBusy(false);
}

function failPending(message) {
  if (!pending) return;
  settle();
  messages.say(message, 'error');
  refreshPanel();
}

function onRequestTimeout() {
  pending = null;
  panel.setBusy(false);
  messages.say(
    'No answer from the server. The map keeps itself up to date; check it and try again.',
    'error',
  );
  refreshPanel();
}

/** Update the panel; if that disabled the button that had focus, focus its seat instead. */
function refreshPanel() {
  const shown = current;
  const focusInPanel = panel.hasFocus();
  showPanel();
  const focused = document.activeElement;
  if (focusInPanel && shown !== null && (focused === document.body || focused?.disabled)) {
    map.focus(shown);
  }
}

/** Show the current seat if it is (about to be) mine, else another hold of mine, else nothing. */
function showPanel() {
  const seat = current === null ? null : map.get(current);
  if (seat !== null) {
    if (isMyHold(seat)) return panel.holding(seat);
    if (seat.status === AVAILABLE && (pending?.seatId === seat.id || confirmedHold === seat.id)) {
      return panel.requesting(seat);
    }
    if (isMyBooking(seat)) return panel.booked(seat);
  }
  const other = map.myHolds()[0];
  current = other?.id ?? null;
  return other ? panel.holding(other) : panel.idle();
}

function isMyHold(seat) {
  return seat?.status === HELD && seat.held_by === session.userId;
}

function isMyBooking(seat) {
  return seat?.status === BOOKED && seat.booked_by === session.userId;
}

function showAvailable() {
  byId('available-count').textContent = `${map.availableCount()} of ${map.size} seats available`;
}

function showHoldSeconds(seconds) {
  panel.setHoldSeconds(seconds);
  byId('hold-seconds').textContent = String(Math.round(seconds));
}

function showUser() {
  byId('user-id').textContent = session.userId;
}

function text(value) {
  return typeof value === 'string' ? value.slice(0, MAX_MESSAGE_LENGTH) : '';
}

function asObject(value) {
  return value !== null && typeof value === 'object' ? value : {};
}
