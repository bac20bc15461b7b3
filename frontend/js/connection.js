/**
 * A WebSocket that reconnects forever, with exponential backoff and jitter.
 *
 * Frames are JSON objects {type, data}; anything else is dropped. The backoff only
 * resets when the app calls markHealthy() (once the server has sent the venue), so
 * a server that accepts and at once drops connections is not hammered.
 */

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;

/** Delay before retry number `attempt` (0-based): half fixed, half random, capped. */
export function backoffDelay(attempt) {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

export class Connection {
  #url;
  #handlers;
  #socket = null;
  #retryTimer = null;
  #attempt = 0;

  /**
   * @param {string} url
   * @param {{onFrame: (type: string, data: object) => void,
   *          onClose: (info: {code: number, delayMs: number}) => void}} handlers
   */
  constructor(url, handlers) {
    this.#url = url;
    this.#handlers = handlers;
  }

  /** Connect now, and retry at once whenever the browser comes back online. */
  start() {
    window.addEventListener('online', () => this.retryNow());
    this.#open();
  }

  /** Send one frame; false if there is no open connection to send it on. */
  send(type, data) {
    if (this.#socket?.readyState !== WebSocket.OPEN) return false;
    this.#socket.send(JSON.stringify({ type, data }));
    return true;
  }

  /** The server is serving us properly: the next outage starts with a short delay. */
  markHealthy() {
    this.#attempt = 0;
  }

  /** Skip the rest of the current backoff wait, if any. */
  retryNow() {
    if (this.#retryTimer === null) return;
    clearTimeout(this.#retryTimer);
    this.#open();
  }

  #open() {
    this.#retryTimer = null;
    let socket;
    try {
      socket = new WebSocket(this.#url);
    } catch {
      this.#scheduleRetry(1006);
      return;
    }
    this.#socket = socket;
    socket.addEventListener('message', (event) => this.#receive(event.data));
    // 'error' is always followed by 'close', which is where recovery happens.
    socket.addEventListener('close', (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#scheduleRetry(event.code);
    });
  }

  #scheduleRetry(code) {
    const delayMs = backoffDelay(this.#attempt);
    this.#attempt += 1;
    this.#retryTimer = setTimeout(() => this.#open(), delayMs);
    this.#handlers.onClose({ code, delayMs });
  }

  #receive(raw) {
    const frame = parseFrame(raw);
    if (typeof frame?.type !== 'string') return;
    const data = frame.data !== null && typeof frame.data === 'object' ? frame.data : {};
    this.#handlers.onFrame(frame.type, data);
  }
}

/** The JSON a WebSocket frame carries, or null (and a warning) when it is not JSON. */
export function parseFrame(raw) {
  try {
    return JSON.parse(raw);
  } catch {
    console.warn('dropped a frame that is not JSON');
    return null;
  }
}
