/**
 * An event's prices: what a seat of each category costs and how an amount is written
 * in the event's currency ("€45.00"); plain numbers when the currency is not a code.
 */

export class Prices {
  #prices;
  #format;

  /** @param {Object<string, number> | undefined} prices  @param {string | undefined} currency */
  constructor(prices, currency) {
    this.#prices = prices !== null && typeof prices === 'object' ? prices : {};
    try {
      this.#format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    } catch {
      this.#format = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2 });
    }
  }

  /** The price of a seat of `category`, or null when the event names none. */
  of(category) {
    const price = this.#prices[category];
    return Number.isFinite(price) ? price : null;
  }

  /** An amount written in the event's currency. */
  format(amount) {
    return this.#format.format(amount);
  }

  /** The price of `category` written out, or '' when the event names none. */
  text(category) {
    const price = this.of(category);
    return price === null ? '' : this.format(price);
  }
}
