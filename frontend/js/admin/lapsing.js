/**
 * Holds about to lapse, each with a countdown that runs between DASHBOARD frames.
 *
 * A hold's deadline is taken from its `seconds_left` as the frame arrived (measured on
 * this page's monotonic clock), so a browser whose wall clock is off still counts
 * right; one timer updates every row.
 */

const TICK_MS = 250;

export class LapsingHolds {
  #list;
  #empty;
  #describe;
  /** [{seatId, deadline (performance.now() ms), el}] */
  #holds = [];
  #timer = null;

  /**
   * @param {{list: HTMLElement, empty: HTMLElement}} els
   * @param {(seatId: string) => string} describe  a seat's name
   */
  constructor(els, describe) {
    this.#list = els.list;
    this.#empty = els.empty;
    this.#describe = describe;
  }

  /** Show `[{seat_id, expires_at, seconds_left}]`, soonest first. */
  show(holds) {
    const now = performance.now();
    this.#holds = (Array.isArray(holds) ? holds : [])
      .filter((hold) => typeof hold?.seat_id === 'string' && Number.isFinite(hold.seconds_left))
      .map((hold) => ({
        seatId: hold.seat_id,
        deadline: now + hold.seconds_left * 1000,
        el: row(hold.seat_id, this.#describe(hold.seat_id)),
      }));
    this.#list.replaceChildren(...this.#holds.map((hold) => hold.el));
    this.#empty.hidden = this.#holds.length > 0;
    this.#tick();
    clearInterval(this.#timer);
    this.#timer = this.#holds.length > 0 ? setInterval(() => this.#tick(), TICK_MS) : null;
  }

  #tick() {
    const now = performance.now();
    for (const hold of this.#holds) {
      const left = Math.max(0, Math.ceil((hold.deadline - now) / 1000));
      const text = left > 0 ? `${left} s` : 'lapsing';
      const counter = hold.el.querySelector('.lapsing-left');
      if (counter.textContent !== text) counter.textContent = text;
      hold.el.classList.toggle('lapsing-soon', left <= 10);
    }
  }
}

function row(seatId, name) {
  const item = document.createElement('li');
  item.className = 'lapsing-item';
  item.dataset.seatId = seatId;
  const label = document.createElement('span');
  label.className = 'lapsing-seat';
  label.textContent = name;
  const left = document.createElement('span');
  left.className = 'lapsing-left';
  left.setAttribute('role', 'timer');
  item.append(label, left);
  return item;
}
