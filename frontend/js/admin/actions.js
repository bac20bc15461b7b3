/**
 * The operator's actions on the event watched: open / close / schedule sales, block
 * and unblock seats (ids typed, or picked on the occupancy map), cancel an order by
 * reference, and export the orders as CSV or JSON.
 *
 * Each action is one call of the operator API; while it runs its controls are busy,
 * and its outcome (or the API's `error` sentence) goes to the message line. The
 * server's DASHBOARD frames then show the effect, so nothing here changes counts.
 */

import { saveResponse } from './download.js';

const STATE_DONE = {
  on_sale: 'Sales are open.',
  closed: 'Sales are closed.',
  scheduled: 'The event is back to scheduled.',
};
const UNAUTHORIZED = 401;

/** The seat ids typed into a field: split on spaces and commas, duplicates dropped. */
export function seatIdsOf(text) {
  return [...new Set(String(text).split(/[\s,;]+/).filter(Boolean))];
}

export class ActionsPanel {
  #els;
  #context;

  /**
   * @param {Object<string, HTMLElement>} els  the elements by the ids in admin/index.html
   * @param {{api: () => import('./api.js').OperatorApi, eventId: () => string | null,
   *          say: (text: string, tone?: string) => void, onPicked: (ids: string[]) => void,
   *          onUnauthorized: () => void}} context
   */
  constructor(els, context) {
    this.#els = els;
    this.#context = context;
    for (const button of els.stateButtons) {
      button.addEventListener('click', () => this.#setState(button.dataset.state));
    }
    els.blockForm.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#block(true);
    });
    els.unblock.addEventListener('click', () => this.#block(false));
    els.clear.addEventListener('click', () => this.setPicked([]));
    els.seats.addEventListener('input', () => this.#context.onPicked(this.picked()));
    els.cancelForm.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#cancel();
    });
    for (const button of els.exportButtons) {
      button.addEventListener('click', () => this.#export(button.dataset.format));
    }
  }

  /** The seat ids in the block field. */
  picked() {
    return seatIdsOf(this.#els.seats.value);
  }

  /** Put exactly `seatIds` in the block field. */
  setPicked(seatIds) {
    this.#els.seats.value = seatIds.join(' ');
    this.#context.onPicked(seatIds);
  }

  /** A seat clicked on the map: into the block field, or out of it. */
  toggle(seatId, picked) {
    const ids = this.picked().filter((id) => id !== seatId);
    this.setPicked(picked ? [...ids, seatId] : ids);
  }

  /** Show which sale state the event is in (its button pressed). */
  showState(state) {
    for (const button of this.#els.stateButtons) {
      button.setAttribute('aria-pressed', String(button.dataset.state === state));
    }
  }

  #setState(state) {
    this.#run(this.#els.stateButtons, async (api, eventId) => {
      await api.setState(eventId, state);
      this.showState(state);
      return STATE_DONE[state];
    });
  }

  #block(blocked) {
    const ids = this.picked();
    if (ids.length === 0) {
      this.#context.say('Type seat ids or click seats on the map first.', 'error');
      this.#els.seats.focus();
      return;
    }
    this.#run([this.#els.block, this.#els.unblock], async (api, eventId) => {
      await api.setBlocked(eventId, ids, blocked);
      this.setPicked([]);
      const count = ids.length === 1 ? `Seat ${ids[0]} is` : `${ids.length} seats are`;
      return `${count} ${blocked ? 'blocked' : 'unblocked'}.`;
    });
  }

  #cancel() {
    const reference = this.#els.reference.value.trim().toUpperCase();
    if (reference === '') return;
    this.#run([this.#els.cancel], async (api) => {
      const order = await api.cancelOrder(reference);
      this.#els.reference.value = '';
      const count = Array.isArray(order?.seats) ? order.seats.length : 0;
      const seats = count === 1 ? 'seat is' : `${count} seats are`;
      return `Order ${reference} is cancelled; its ${seats} available again.`;
    });
  }

  #export(format) {
    this.#run(this.#els.exportButtons, async (api, eventId) => {
      const response = await api.exportOrders(eventId, format);
      const name = await saveResponse(response, `${eventId}-orders.${format}`);
      return `Saved ${name}.`;
    });
  }

  /** Run one action with `controls` busy; its result or error goes to the message line. */
  async #run(controls, action) {
    const eventId = this.#context.eventId();
    if (eventId === null) {
      this.#context.say('Pick an event first.', 'error');
      return;
    }
    for (const control of controls) control.disabled = true;
    try {
      this.#context.say(await action(this.#context.api(), eventId), 'success');
    } catch (error) {
      this.#context.say(error.message, 'error');
      if (error.status === UNAUTHORIZED) this.#context.onUnauthorized();
    } finally {
      for (const control of controls) control.disabled = false;
    }
  }
}
