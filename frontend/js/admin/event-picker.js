/**
 * The event picker: a <select> of the events the WELCOME listed ("Arena night · on
 * sale"). The choice is remembered for this tab, so a reload watches the same event.
 */

const STORAGE_KEY = 'seat-booking.operator.event';
const STATE_WORDS = { on_sale: 'on sale', closed: 'closed', scheduled: 'scheduled' };

/** An event's sale state in words. */
export function stateWord(state) {
  return STATE_WORDS[state] ?? String(state ?? '');
}

export class EventPicker {
  #select;
  #onPick;

  /** @param {HTMLSelectElement} select  @param {(eventId: string) => void} onPick */
  constructor(select, onPick) {
    this.#select = select;
    this.#onPick = onPick;
    select.addEventListener('change', () => this.#pick(select.value));
  }

  /** The event picked, or null when there is none. */
  get value() {
    return this.#select.value === '' ? null : this.#select.value;
  }

  /** List `events`; the one picked before stays picked (else the remembered, else the first). */
  show(events) {
    const listed = events.filter((event) => typeof event?.id === 'string');
    const wanted = this.value ?? sessionStorage.getItem(STORAGE_KEY);
    this.#select.replaceChildren(
      ...listed.map((event) => {
        const option = document.createElement('option');
        option.value = event.id;
        option.textContent = `${event.name ?? event.id} · ${stateWord(event.state)}`;
        return option;
      }),
    );
    const chosen = listed.find((event) => event.id === wanted) ?? listed[0];
    if (chosen) this.#select.value = chosen.id;
    return this.value;
  }

  /** Rename an event's option after its state changed. */
  showState(eventId, name, state) {
    const option = [...this.#select.options].find((item) => item.value === eventId);
    if (option) option.textContent = `${name ?? eventId} · ${stateWord(state)}`;
  }

  #pick(eventId) {
    sessionStorage.setItem(STORAGE_KEY, eventId);
    this.#onPick(eventId);
  }
}
