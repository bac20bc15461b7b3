/**
 * The operator REST API (`/api/admin/...`) as the dashboard calls it: every request
 * carries `Authorization: Bearer <token>` and `X-Operator: <name>`.
 *
 * A call resolves to the parsed JSON body (or the raw Response for downloads); a
 * refusal rejects with an ApiError whose message is the API's own `error` sentence
 * and whose `status` is the HTTP status (401: the token is wrong).
 */

export class ApiError extends Error {
  /** @param {string} message  @param {number} status */
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

export class OperatorApi {
  #credentials;

  /** @param {{name: string, token: string}} credentials */
  constructor(credentials) {
    this.#credentials = credentials;
  }

  /** `GET /api/admin/events`: every event with its counts. */
  events() {
    return this.#json('GET', '/api/admin/events');
  }

  /** Set an event's sale state: 'on_sale', 'closed' or 'scheduled'. */
  setState(eventId, state) {
    return this.#json('POST', `${eventPath(eventId)}/state`, { state });
  }

  /** Block (or unblock) all of `seatIds`, or none. */
  setBlocked(eventId, seatIds, blocked) {
    return this.#json('POST', `${eventPath(eventId)}/blocks`, { seat_ids: seatIds, blocked });
  }

  /** Cancel an order by its reference. */
  cancelOrder(reference) {
    return this.#json('POST', `/api/admin/orders/${encodeURIComponent(reference)}/cancel`);
  }

  /** The orders export of an event as a Response ('csv' or 'json'), once it answered 2xx. */
  exportOrders(eventId, format) {
    return this.#send('GET', `${eventPath(eventId)}/orders.${format}`);
  }

  async #json(method, path, body) {
    const response = await this.#send(method, path, body);
    return response.json();
  }

  async #send(method, path, body) {
    const headers = {
      Accept: 'application/json',
      Authorization: `Bearer ${this.#credentials.token}`,
      'X-Operator': this.#credentials.name,
    };
    const init = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch {
      throw new ApiError('The server could not be reached. Try again in a moment.', 0);
    }
    if (!response.ok) throw new ApiError(await errorSentence(response), response.status);
    return response;
  }
}

function eventPath(eventId) {
  return `/api/admin/events/${encodeURIComponent(eventId)}`;
}

/** The API's `error` sentence, or one naming the status when the body has none. */
async function errorSentence(response) {
  try {
    const body = await response.json();
    if (typeof body?.error === 'string' && body.error !== '') return body.error;
  } catch {
    // Not JSON: fall through to the status.
  }
  return `The server answered ${response.status}.`;
}
