/**
 * What the page tells the user: one message line (an aria-live region, so screen
 * readers hear it) and the connection indicator, which says in words what its
 * colour shows.
 */

const CONNECTION_TEXT = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

const REANNOUNCE_DELAY_MS = 50;

export class Messages {
  #el;
  #timer = null;

  /** @param {HTMLElement} el  a role="status" element */
  constructor(el) {
    this.#el = el;
  }

  /** Show `text`; tone is 'info', 'success' or 'error'. */
  say(text, tone = 'info') {
    clearTimeout(this.#timer);
    this.#el.dataset.tone = tone;
    // Clearing first, then writing a moment later, makes screen readers announce a
    // message again even when it repeats the one before.
    this.#el.textContent = '';
    this.#timer = setTimeout(() => {
      this.#el.textContent = text;
    }, REANNOUNCE_DELAY_MS);
  }
}

export class ConnectionIndicator {
  #el;
  #text;

  /** @param {HTMLElement} el  holds a data-state attribute  @param {HTMLElement} text */
  constructor(el, text) {
    this.#el = el;
    this.#text = text;
  }

  get state() {
    return this.#el.dataset.state;
  }

  /** 'connecting', 'live' or 'reconnecting'. */
  set(state) {
    this.#el.dataset.state = state;
    this.#text.textContent = CONNECTION_TEXT[state];
  }
}
