/**
 * The live operator socket (`/api/admin/live`): authenticates, watches one event, and
 * reconnects with backoff whenever it drops.
 *
 * Frames are flat JSON objects. On open we send `AUTH {token, operator}`; the server
 * answers `WELCOME {events}` (then we send `WATCH {event_id}` for the event watched, if
 * any) or `ERROR` and a close with 1008 when the token is refused — then the socket
 * stays closed and `onRefused` fires. `DASHBOARD {event_id, data}` frames follow every
 * change of the watched event. Any other close retries after backoffDelay(attempt);
 * the backoff resets once a WELCOME arrived.
 */

import { backoffDelay, parseFrame } from '../connection.js';

const REFUSED = 'Authentication required';
const POLICY_VIOLATION = 1008;

export class LiveSocket {
  #url;
  #handlers;
  #credentials = null;
  #socket = null;
  #retryTimer = null;
  #attempt = 0;
  #watching = null;
  /** Whether the current connection has been welcomed (WATCH waits for that). */
  #welcomed = false;
  #refused = false;

  /**
   * @param {string} url
   * @param {{onWelcome: (events: object[]) => void,
   *          onDashboard: (eventId: string, data: object) => void,
   *          onError: (error: string) => void, onRefused: () => void,
   *          onDown: (info: {delayMs: number}) => void}} handlers
   */
  constructor(url, handlers) {
    this.#url = url;
    this.#handlers = handlers;
  }

  /** Connect with these credentials (replacing any connection open). */
  start(credentials) {
    this.stop();
    this.#credentials = credentials;
    this.#refused = false;
    this.#attempt = 0;
    this.#open();
  }

  /** Close for good (log out): no retry. */
  stop() {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#credentials = null;
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000);
  }

  /** The event watched, or null. */
  get watching() {
    return this.#watching;
  }

  /** Watch `eventId` now (once the socket is welcomed) and after every reconnect. */
  watch(eventId) {
    this.#watching = eventId;
    if (this.#welcomed) this.#send({ type: 'WATCH', event_id: eventId });
  }

  #open() {
    this.#retryTimer = null;
    let socket;
    try {
      socket = new WebSocket(this.#url);
    } catch {
      this.#retry();
      return;
    }
    this.#socket = socket;
    this.#welcomed = false;
    // A socket replaced or stopped meanwhile (log out) is no longer listened to.
    socket.addEventListener('open', () => {
      if (this.#socket !== socket) return;
      const { token, name } = this.#credentials;
      socket.send(JSON.stringify({ type: 'AUTH', token, operator: name }));
    });
    socket.addEventListener('message', (event) => {
      if (this.#socket === socket) this.#receive(event.data);
    });
    // 'error' is always followed by 'close', which is where recovery happens.
    socket.addEventListener('close', (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      // 1008 before WELCOME is a refused token; after it, a flood, which a retry ends.
      if (this.#refused || (event.code === POLICY_VIOLATION && !this.#welcomed)) {
        this.#refuse();
      } else {
        this.#retry();
      }
    });
  }

  #retry() {
    if (this.#credentials === null) return;
    const delayMs = backoffDelay(this.#attempt);
    this.#attempt += 1;
    this.#retryTimer = setTimeout(() => this.#open(), delayMs);
    this.#handlers.onDown({ delayMs });
  }

  #refuse() {
    this.#credentials = null;
    this.#handlers.onRefused();
  }

  #send(frame) {
    if (this.#socket?.readyState !== WebSocket.OPEN) return false;
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  #receive(raw) {
    const frame = parseFrame(raw);
    if (frame?.type === 'WELCOME') {
      this.#attempt = 0;
      this.#welcomed = true;
      const watching = this.#watching;
      this.#handlers.onWelcome(Array.isArray(frame.events) ? frame.events : []);
      // The event watched before a reconnect, unless onWelcome has just chosen one.
      if (watching !== null && this.#watching === watching) this.watch(watching);
    } else if (frame?.type === 'DASHBOARD' && isObject(frame.data)) {
      this.#handlers.onDashboard(String(frame.event_id ?? ''), frame.data);
    } else if (frame?.type === 'ERROR') {
      const error = typeof frame.error === 'string' ? frame.error : 'The server reported an error.';
      // The close with 1008 that follows is what ends the connection.
      if (error === REFUSED) this.#refused = true;
      else this.#handlers.onError(error);
    }
  }
}

/** The live socket's URL on this page's host. */
export function liveUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/admin/live`;
}

function isObject(value) {
  return value !== null && typeof value === 'object';
}
