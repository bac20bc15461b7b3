/**
 * The page's requests over the WebSocket: one in flight at a time, each answered by
 * its `<TYPE>_RESPONSE` (or an ERROR), given up after a timeout or when the
 * connection drops. The server answers a connection's frames in order, so the answer
 * of the type asked for is the answer to the request in flight.
 */

export class Requests {
  #connection;
  #timeoutMs;
  #onBusy;
  #onTimeout;
  /** The request awaiting its answer: {type, data, context, timer}. */
  #pending = null;

  /**
   * @param {import('./connection.js').Connection} connection
   * @param {{timeoutMs: number, onBusy: (busy: boolean) => void,
   *          onTimeout: (request: object) => void}} options
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

  /** Send one request; 'sent', 'busy' (another is in flight) or 'offline'. */
  send(type, data, context = null) {
    if (this.#pending !== null) return 'busy';
    if (!this.#connection.send(type, data)) return 'offline';
    const timer = setTimeout(() => {
      const request = this.#finish();
      if (request !== null) this.#onTimeout(request);
    }, this.#timeoutMs);
    this.#pending = { type, data, context, timer };
    this.#onBusy(true);
    return 'sent';
  }

  /** The answer to `type` arrived: the request it answers, or null if none of that type waits. */
  settle(type) {
    return this.#pending?.type === type ? this.#finish() : null;
  }

  /** Give up the request in flight, whatever it is (an ERROR, a dropped connection). */
  drop() {
    return this.#finish();
  }

  #finish() {
    const request = this.#pending;
    if (request === null) return null;
    clearTimeout(request.timer);
    this.#pending = null;
    this.#onBusy(false);
    return request;
  }
}
