/**
 * "Best available": how many seats, of which category (or any), and whether they may
 * be split over neighbouring rows or must be wheelchair spaces; the server picks the
 * best seats together and puts them in the cart. The categories are the plan's.
 */

export class BestAvailableForm {
  #els;

  /**
   * @param {{form: HTMLFormElement, quantity: HTMLInputElement, category: HTMLSelectElement,
   *          split: HTMLInputElement, accessible: HTMLInputElement, submit: HTMLButtonElement}} els
   * @param {{onAsk: (request: {quantity: number, category?: string, allow_split: boolean,
   *          accessible: boolean}) => void}} handlers
   */
  constructor(els, { onAsk }) {
    this.#els = els;
    els.form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!els.form.reportValidity()) return;
      const request = {
        quantity: Number(els.quantity.value),
        allow_split: els.split.checked,
        accessible: els.accessible.checked,
      };
      if (els.category.value) request.category = els.category.value;
      onAsk(request);
    });
  }

  /** Offer the categories of a newly drawn plan (one category: no choice to make). */
  load(plan) {
    const names = Array.from(plan.categories.keys());
    const any = option('', 'Any category');
    this.#els.category.replaceChildren(any, ...names.map((name) => option(name, name)));
    this.#els.category.hidden = names.length < 2;
    this.#els.form.hidden = false;
  }

  /** While a request is in flight the form's button is off. */
  setBusy(busy) {
    this.#els.submit.disabled = busy;
  }
}

function option(value, text) {
  const el = document.createElement('option');
  el.value = value;
  el.textContent = text;
  return el;
}
