/**
 * The side panel: the seat this browser is dealing with, the time left on its hold
 * and the Book / Release buttons.
 *
 * The countdown runs to the server's deadline (expires_at_ms, else expires_at),
 * never to a local guess; reaching zero only says so, since the server decides
 * when the hold ends and announces it.
 */

import { expiryMs, seatName } from './seatmap.js';

const TICK_MS = 250;
const WARN_AT_SECONDS = 10;

export class Panel {
  #els;
  #now;
  #announce;
  #timer = null;
  #seat = null;
  #deadline = null;
  #totalMs = 30_000;
  #warned = false;
  #holding = false;
  #busy = false;

  /**
   * @param {{title: HTMLElement, hint: HTMLElement, countdown: HTMLElement,
   *          countdownText: HTMLElement, countdownFill: HTMLElement,
   *          book: HTMLButtonElement, release: HTMLButtonElement}} els
   * @param {{onBook: () => void, onRelease: () => void, now: () => number,
   *          announce: (text: string) => void}} options
   */
  constructor(els, { onBook, onRelease, now, announce }) {
    this.#els = els;
    this.#now = now;
    this.#announce = announce;
    els.book.addEventListener('click', onBook);
    els.release.addEventListener('click', onRelease);
  }

  /** The hold length, for the progress bar's full width. */
  setHoldSeconds(seconds) {
    this.#totalMs = seconds * 1000;
  }

  /** While a request is in flight the buttons are off. */
  setBusy(busy) {
    this.#busy = busy;
    this.#syncButtons();
  }

  /** Whether keyboard focus is on Book or Release. */
  hasFocus() {
    return [this.#els.book, this.#els.release].includes(document.activeElement);
  }

  idle() {
    this.#show(null, 'No seat selected', 'Pick an available seat on the map.');
  }

  requesting(seat) {
    this.#show(seat, seatTitle(seat), 'Asking for this seat…');
  }

  booked(seat) {
    this.#show(seat, seatTitle(seat), 'Booked. It is yours, enjoy the show!');
  }

  /** My hold on `seat`: countdown to its deadline, Book and Release on. */
  holding(seat) {
    const deadline = expiryMs(seat);
    const sameHold = this.#holding && this.#seat?.id === seat.id && this.#deadline === deadline;
    this.#show(seat, seatTitle(seat), 'Held for you. Book it before the time runs out.');
    this.#holding = true;
    this.#deadline = deadline;
    if (!sameHold) this.#warned = false;
    this.#syncButtons();
    this.#startCountdown();
  }

  #show(seat, title, hint) {
    this.#stopCountdown();
    this.#seat = seat;
    this.#holding = false;
    this.#els.title.textContent = title;
    this.#els.hint.textContent = hint;
    this.#syncButtons();
  }

  #syncButtons() {
    const off = !this.#holding || this.#busy;
    this.#els.book.disabled = off;
    this.#els.release.disabled = off;
  }

  #startCountdown() {
    if (this.#deadline === null) return;
    this.#els.countdown.hidden = false;
    this.#tick();
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
  }

  #stopCountdown() {
    clearInterval(this.#timer);
    this.#timer = null;
    this.#els.countdown.hidden = true;
    this.#els.countdown.classList.remove('urgent');
  }

  #tick() {
    const remainingMs = Math.max(0, this.#deadline - this.#now());
    const seconds = Math.ceil(remainingMs / 1000);
    this.#els.countdownText.textContent =
      seconds > 0 ? `${seconds} s left to book` : 'Time is up, releasing the seat…';
    const fraction = Math.min(1, remainingMs / this.#totalMs);
    this.#els.countdownFill.style.transform = `scaleX(${fraction})`;
    const urgent = seconds <= WARN_AT_SECONDS;
    this.#els.countdown.classList.toggle('urgent', urgent);
    if (urgent && seconds > 0 && !this.#warned) {
      this.#warned = true;
      this.#announce(`${seconds} seconds left to book seat ${this.#seat.id}.`);
    }
  }
}

function seatTitle(seat) {
  return `${seatName(seat)} (${seat.id})`;
}
