/**
 * The venue of one event on the page: its plan drawn once on the seat map, with zoom,
 * the overview of blocks, the legend with prices and the step-through lists.
 *
 * `show(venueState)` makes sure the plan of the VENUE_STATE's event is the one drawn:
 * the event's details and plan come from the events API (the plan cached by the
 * browser); a venue without a plan (the seed's grid, which names no event) is drawn as
 * a grid from its seats' rows and columns. A new plan is drawn once; later states of
 * the same event only repaint seats.
 */

import { showBlocks } from './blocks.js';
import { fetchEvent, fetchPlan } from './catalog.js';
import { showLegend } from './legend.js';
import { gridPlan, readPlan } from './plan.js';
import { Prices } from './prices.js';
import { SeatMap } from './seatmap.js';
import { StepThrough } from './step-through.js';
import { Zoom } from './zoom.js';

const MAP_LABEL = 'Seats. Arrow keys move between seats; Enter or Space picks one; + and − zoom.';

export class VenueView {
  #els;
  /** The event drawn: {eventId} (eventId null for the seed's venue); null before any. */
  #shown = null;
  /** A plan being fetched: {eventId, promise}. */
  #loading = null;
  #prices = new Prices({}, 'EUR');
  /** The seat the line under the map describes, so a change to it shows there at once. */
  #described = null;
  #zoom;
  #map;
  #steps;

  /**
   * @param {Object<string, HTMLElement>} els  the page's elements, by the ids in index.html
   * @param {{onChoose: (seatId: string) => void, onStepHold: (seatId: string) => void}} handlers
   */
  constructor(els, { onChoose, onStepHold }) {
    this.#els = els;
    this.#zoom = new Zoom(els.viewport, els.map, {
      zoomIn: els.zoomIn,
      zoomOut: els.zoomOut,
      fit: els.zoomFit,
    });
    this.#map = new SeatMap(els.map, {
      label: MAP_LABEL,
      onChoose,
      onFocus: (place) => this.#zoom.reveal(place.x, place.y),
      onPoint: (seatId) => this.#describe(seatId),
      onRepaint: (seatId) => {
        this.#steps.seatChanged(seatId);
        if (seatId === this.#described) this.#describe(seatId);
      },
    });
    this.#steps = new StepThrough(
      {
        root: els.steps,
        block: els.stepBlock,
        row: els.stepRow,
        seat: els.stepSeat,
        hold: els.stepHold,
      },
      {
        map: this.#map,
        price: (category) => this.#prices.text(category),
        onHold: onStepHold,
        onBlock: (zone) => this.#zoom.zoomTo(zone.box),
      },
    );
  }

  /** The seat map (state of every seat). */
  get map() {
    return this.#map;
  }

  /** The prices of the event drawn. */
  get prices() {
    return this.#prices;
  }

  /** Whether a plan is drawn. */
  get drawn() {
    return this.#shown !== null;
  }

  /** The id of the event drawn, or null (none yet, or the seed's venue). */
  get eventId() {
    return this.#shown?.eventId ?? null;
  }

  /** Start fetching an event's details and plan (once per event); either may be null. */
  load(eventId) {
    if (this.#loading?.eventId !== eventId) {
      const promise = Promise.all([
        fetchEvent(eventId).catch(() => null),
        fetchPlan(eventId).catch(() => null),
      ]).then(([info, data]) => ({ info, plan: data === null ? null : readPlan(data) }));
      this.#loading = { eventId, promise };
    }
    return this.#loading.promise;
  }

  /** Draw the VENUE_STATE's event if it is not the one drawn; resolves to its info, or false. */
  async show(venue) {
    const eventId = typeof venue.event_id === 'string' ? venue.event_id : null;
    if (this.#shown !== null && this.#shown.eventId === eventId) return true;
    const { info = null, plan = null } = eventId === null ? {} : await this.load(eventId);
    const grid = venue.compact !== true && venue.seats.every(isGridSeat);
    const drawn = plan ?? (grid ? gridPlan(venue.seats) : null);
    if (drawn === null || drawn.seats.size === 0) return false;
    this.#shown = { eventId };
    this.#prices = new Prices(info?.prices, info?.currency);
    this.#draw(drawn);
    return { info };
  }

  /** Pan the map to a seat if it is out of view. */
  reveal(seatId) {
    const place = this.#map.place(seatId);
    if (place) this.#zoom.reveal(place.x, place.y);
  }

  /** Recount what the lists show after a whole VENUE_STATE. */
  refresh() {
    this.#steps.refresh();
    this.#describe(this.#described);
  }

  /** The line under the map: the seat pointed at or focused, its state and price. */
  #describe(seatId) {
    this.#described = seatId;
    const seat = seatId === null ? null : this.#map.get(seatId);
    if (seat === null) {
      this.#els.seatInfo.textContent = '';
      return;
    }
    const price = this.#prices.text(this.#map.place(seatId).category);
    this.#els.seatInfo.textContent = [seat.name, this.#map.describe(seat), price]
      .filter(Boolean)
      .join(' · ');
  }

  /**
   * Draw a new plan. Two performance measures time it: `plan-build` (the SVG built and
   * attached) and `plan-render` (until the frame after it, so layout and paint included).
   */
  #draw(plan) {
    const started = performance.now();
    this.#map.draw(plan);
    performance.measure('plan-build', { start: started, end: performance.now() });
    const painted = () => performance.measure('plan-render', { start: started });
    requestAnimationFrame(() => setTimeout(painted));
    this.#zoom.setPlan(plan);
    showLegend(this.#els.legend, plan, (category) => this.#prices.text(category));
    showBlocks(this.#els.blocks, this.#els.blocksList, plan, (zone) => {
      this.#zoom.zoomTo(zone.box);
      this.#steps.showBlock(zone);
    });
    this.#steps.load();
  }
}

/** A seat of the seed's grid VENUE_STATE, which places seats by row and column. */
function isGridSeat(seat) {
  return typeof seat?.id === 'string' && Number.isInteger(seat.row) && Number.isInteger(seat.col);
}
