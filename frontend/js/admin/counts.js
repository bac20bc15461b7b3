/**
 * The seat counts of the dashboard: the totals strip (available / held / booked /
 * blocked, revenue, orders, people connected) and the tables per section and per
 * category. Rows are rebuilt from each DASHBOARD frame; every value is text.
 */

const STATES = ['available', 'held', 'booked', 'blocked'];

export class Counts {
  #els;

  /** @param {Object<string, HTMLElement>} els  the elements by the ids in admin/index.html */
  constructor(els) {
    this.#els = els;
  }

  /** Show a DASHBOARD's counts; `prices` formats amounts in the event's currency. */
  show(data, prices) {
    const totals = data.totals ?? {};
    this.#set('seats', totals.seats);
    for (const state of STATES) this.#set(state, totals[state]);
    const revenue = Number.isFinite(data.revenue) ? prices.format(data.revenue) : '–';
    this.#els.revenue.textContent = revenue;
    this.#set('confirmed', data.orders?.confirmed);
    this.#set('cancelled', data.orders?.cancelled);
    this.#set('people', data.connected?.people);
    this.#set('watching', data.connected?.watching);
    this.#set('edges', data.connected?.edges);
    fillRows(this.#els.sections, list(data.sections), (section) => [section.name]);
    fillRows(this.#els.categories, list(data.categories), (category) => [
      category.name,
      Number.isFinite(category.price) ? prices.format(category.price) : '',
    ]);
  }

  #set(name, value) {
    this.#els[name].textContent = Number.isFinite(value) ? value.toLocaleString() : '–';
  }
}

/** One <tr> per item: its leading cells, then seats and each state's count. */
function fillRows(body, items, leading) {
  const rows = items.map((item) => {
    const row = document.createElement('tr');
    const [name, ...rest] = leading(item);
    const head = document.createElement('th');
    head.scope = 'row';
    head.textContent = String(name ?? '');
    row.append(head);
    for (const value of [...rest, ...['seats', ...STATES].map((key) => item[key])]) {
      const cell = document.createElement('td');
      cell.textContent = Number.isFinite(value) ? value.toLocaleString() : String(value ?? '');
      row.append(cell);
    }
    return row;
  });
  body.replaceChildren(...rows);
}

function list(value) {
  return Array.isArray(value) ? value : [];
}
