/**
 * The countdown to a cart's deadline: seconds left and a bar that empties.
 *
 * It runs to the server's deadline, never to a local guess; reaching zero only says
 * so, since the server decides when the holds end and announces it. The bar's full
 * width is the hold time, or the time left when a deadline further off arrives (the
 * checkout's extension), so a jump to a later deadline fills it again.
 */

const TICK_MS = 250;
const WARN_AT_SECONDS = 10;

export class Countdown {
  #els;
  #now;
  #onWarn;
  #timer = null;
  #deadline = null;
  #holdMs = 30_000;
  #fullMs = 30_000;
  #warned = false;

  /**
   * @param {{root: HTMLElement, text: HTMLElement, fill: HTMLElement}} els
   * @param {{now: () => number, onWarn: (seconds: number) => void}} options  onWarn: once
   *        per deadline, when WARN_AT_SECONDS are left
   */
  constructor(els, { now, onWarn }) {
    this.#els = els;
    this.#now = now;
    this.#onWarn = onWarn;
  }

  /** The hold length: the bar's full width for a deadline within it. */
  setHoldSeconds(seconds) {
    this.#holdMs = seconds * 1000;
  }

  /** Count down to `deadline` (unix ms of the server's clock); the same deadline goes on. */
  run(deadline) {
    if (deadline === this.#deadline && this.#timer !== null) return;
    this.stop();
    this.#deadline = deadline;
    this.#fullMs = Math.max(this.#holdMs, deadline - this.#now());
    this.#warned = false;
    this.#els.root.hidden = false;
    this.#tick();
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
  }

  /** Hide the countdown. */
  stop() {
    clearInterval(this.#timer);
    this.#timer = null;
    this.#deadline = null;
    this.#els.root.hidden = true;
    this.#els.root.classList.remove('urgent');
  }

  #tick() {
    const remainingMs = Math.max(0, this.#deadline - this.#now());
    const seconds = Math.ceil(remainingMs / 1000);
    this.#els.text.textContent =
      seconds > 0 ? `${clock(seconds)} left to book` : 'Time is up, releasing the seats…';
    const fraction = Math.min(1, remainingMs / this.#fullMs);
    this.#els.fill.style.transform = `scaleX(${fraction})`;
    const urgent = seconds <= WARN_AT_SECONDS;
    this.#els.root.classList.toggle('urgent', urgent);
    if (urgent && seconds > 0 && !this.#warned) {
      this.#warned = true;
      this.#onWarn(seconds);
    }
  }
}

/** "45 s" under a minute, else "4:05". */
function clock(seconds) {
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
