/**
 * The small occupancy map: the event's plan drawn by PlanView, each seat coloured by
 * the DASHBOARD's `occupancy` (a seat it does not name is available), with zoom and
 * pan. A click on a seat picks it (or unpicks it) for the block form.
 *
 * `show(eventId, occupancy)` fetches and draws the plan once per event (the browser
 * caches it); later frames only repaint the seats whose state changed.
 */

import { fetchPlan } from '../catalog.js';
import { displayName, readPlan } from '../plan.js';
import { PlanView } from '../plan-view.js';
import { Zoom } from '../zoom.js';

const STATES = new Set(['held', 'booked', 'blocked']);

export class OccupancyMap {
  #view;
  #zoom;
  #container;
  #onPick;
  #plan = null;
  #eventId = null;
  /** The plan being fetched: {eventId, promise}. */
  #loading = null;
  /** seat id → state shown, for the seats not available. */
  #shown = new Map();
  #picked = new Set();

  /**
   * @param {{viewport: HTMLElement, map: HTMLElement, zoomIn: HTMLElement,
   *          zoomOut: HTMLElement, zoomFit: HTMLElement}} els
   * @param {{onPick: (seatId: string, picked: boolean) => void}} handlers
   */
  constructor(els, { onPick }) {
    this.#container = els.map;
    this.#view = new PlanView(els.map);
    this.#zoom = new Zoom(els.viewport, els.map, {
      zoomIn: els.zoomIn,
      zoomOut: els.zoomOut,
      fit: els.zoomFit,
    });
    this.#onPick = onPick;
    els.map.addEventListener('click', (event) => this.#onClick(event));
  }

  /** Whether `seatId` is a seat of the plan shown. */
  has(seatId) {
    return this.#plan?.seats.has(seatId) ?? false;
  }

  /** The plan's name for a seat ("Stalls, Row A, Seat 1"), or its id. */
  describe(seatId) {
    const seat = this.#plan?.seats.get(seatId);
    return seat ? displayName(this.#plan, seat) : seatId;
  }

  /**
   * Show `eventId`'s plan (drawn once) with `occupancy`; resolves once painted. A plan
   * that could not be fetched leaves the map empty, and the next call tries again.
   */
  async show(eventId, occupancy) {
    if (this.#eventId !== eventId) {
      if (this.#loading?.eventId !== eventId) {
        const promise = fetchPlan(eventId).then((data) => (data === null ? null : readPlan(data)));
        this.#loading = { eventId, promise };
      }
      const loading = this.#loading;
      let plan;
      try {
        plan = await loading.promise;
      } catch (error) {
        console.warn('plan of %s not fetched', eventId, error);
        if (this.#loading === loading) this.#loading = null;
        return;
      }
      // A later call may have switched to another event meanwhile.
      if (this.#loading !== loading) return;
      this.#draw(eventId, plan);
    }
    this.#paint(occupancy ?? {});
  }

  /** Mark exactly `seatIds` as picked. */
  setPicked(seatIds) {
    const wanted = new Set(seatIds.filter((id) => this.has(id)));
    for (const id of this.#picked) {
      if (!wanted.has(id)) this.#view.element(id)?.classList.remove('picked');
    }
    for (const id of wanted) this.#view.element(id)?.classList.add('picked');
    this.#picked = wanted;
  }

  #draw(eventId, plan) {
    this.#eventId = eventId;
    this.#plan = plan;
    this.#shown = new Map();
    this.#picked = new Set();
    if (plan === null || plan.seats.size === 0) {
      this.#container.replaceChildren();
      return;
    }
    this.#view.draw(plan, { label: 'Occupancy map. Click a seat to pick it for blocking.' });
    this.#zoom.setPlan(plan);
  }

  #paint(occupancy) {
    if (this.#plan === null) return;
    for (const [id, state] of this.#shown) {
      if (occupancy[id] !== state) this.#setState(id, 'available');
    }
    const shown = new Map();
    for (const [id, state] of Object.entries(occupancy)) {
      if (!STATES.has(state) || !this.#plan.seats.has(id)) continue;
      if (this.#shown.get(id) !== state) this.#setState(id, state);
      shown.set(id, state);
    }
    this.#shown = shown;
  }

  #setState(seatId, state) {
    const el = this.#view.element(seatId);
    if (!el) return;
    el.classList.remove('available', 'held', 'booked', 'blocked');
    el.classList.add(state);
  }

  #onClick(event) {
    const seatId = event.target.closest?.('[data-seat-id]')?.dataset.seatId;
    if (!seatId || !this.has(seatId)) return;
    const picked = !this.#picked.has(seatId);
    this.#onPick(seatId, picked);
  }
}
