/**
 * The page's requests over the WebSocket: one in flight at a time, each answered by
 * its `<TYPE>_RESPONSE` (or an ERROR). Requests made meanwhile (seats clicked in quick
 * succession) wait in a short queue and go out in order as answers arrive. A request
 * is given up after a timeout or when the connection drops, and the queue with it: the
 * page then shows what the server says the cart is, not what was queued.
 */

const MAX_QUEUED = 16;

export class Requests {
  #connection;
  #timeoutMs;
  #onBusy;
  #onTimeout;
  /** The request awaiting its answer: {type, data, context, timer}. */
  #pending = null;
  /** Requests waiting for the one in flight: {type, data, context}. */
  #queue = [];

  /**
   * @param {import('./connection.js').Connection} connection
   * @param {{timeoutMs: number, onBusy: (busy: boolean) => void,
   *          onTimeout: (request: object) => void}} options  onBusy(true) when a request
   *          goes out with none in flight, onBusy(false) when the last one is answered
   */
  constructor(connection, { timeoutMs, onBusy, onTimeout }) {
    this.#connection = connection;
    this.#timeoutMs = timeoutMs;
    this.#onBusy = onBusy;
    this.#onTimeout = onTimeout;
  }

  /** The request in flight, {type, data, context}, or null. */
  get pending() {
    return this.#pending;
  }

  /** Whether a request of `type` is in flight or queued. */
  has(type) {
    return this.#pending?.type === type || this.#queue.some((request) => request.type === type);
  }

  /** Send a request, or queue it behind the one in flight: 'sent', 'queued', 'full', 'offline'. */
  send(type, data, context = null) {
    if (this.#pending !== null) {
      if (this.#queue.length >= MAX_QUEUED) return 'full';
      this.#queue.push({ type, data, context });
      return 'queued';
    }
    return this.#transmit({ type, data, context });
  }

  /** The answer to `type` arrived: the request it answers, or null if none of that type waits. */
  settle(type) {
    if (this.#pending?.type !== type) return null;
    const request = this.#finish();
    this.#next();
    return request;
  }

  /** An ERROR answered the request in flight: give it up and go on with the queue. */
  fail() {
    const request = this.#finish();
    this.#next();
    return request;
  }

  /** Give up the request in flight and the queue (the connection dropped); the one in flight. */
  drop() {
    this.#queue = [];
    return this.#finish();
  }

  #transmit(request) {
    if (!this.#connection.send(request.type, request.data)) {
      this.#queue = [];
      this.#onBusy(false);
      return 'offline';
    }
    const timer = setTimeout(() => {
      this.#queue = [];
      const lost = this.#finish();
      if (lost !== null) this.#onTimeout(lost);
    }, this.#timeoutMs);
    const wasIdle = this.#pending === null;
    this.#pending = { ...request, timer };
    if (wasIdle) this.#onBusy(true);
    return 'sent';
  }

  #next() {
    const request = this.#queue.shift();
    if (request !== undefined) this.#transmit(request);
  }

  #finish() {
    const request = this.#pending;
    if (request === null) return null;
    clearTimeout(request.timer);
    this.#pending = null;
    if (this.#queue.length === 0) this.#onBusy(false);
    return request;
  }
}
