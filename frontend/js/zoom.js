/**
 * Zoom and pan of the map, on the vendored Panzoom (vendor/panzoom.es.js, MIT).
 *
 * Panzoom moves the canvas inside its viewport with a CSS transform (drag to pan,
 * pinch with two fingers); this adds the wheel, the + / − / fit buttons, the keys
 * + − 0 while focus is on the map, zooming to a block of seats, and bringing a seat
 * that keyboard focus moved to into view. A drag that moved the map is not a click,
 * so panning never picks the seat it started on.
 */

import Panzoom from '../vendor/panzoom.es.js';

const MIN_SCALE = 1;
const STEP = 0.35;
/** How many screen pixels a seat's radius is at the largest zoom. */
const MAX_SEAT_RADIUS_PX = 28;
const DRAG_PX = 5;
const FIT_MARGIN = 0.9;
const ZOOM_KEYS = { '+': 'in', '=': 'in', '-': 'out', _: 'out', 0: 'fit' };

export class Zoom {
  #viewport;
  #canvas;
  #panzoom;
  #plan = null;
  #down = null;
  #dragged = false;

  /**
   * @param {HTMLElement} viewport  the fixed frame (overflow hidden)
   * @param {HTMLElement} canvas  its child that moves; holds the <svg>
   * @param {{zoomIn: HTMLElement, zoomOut: HTMLElement, fit: HTMLElement}} buttons
   */
  constructor(viewport, canvas, buttons) {
    this.#viewport = viewport;
    this.#canvas = canvas;
    this.#panzoom = Panzoom(canvas, {
      minScale: MIN_SCALE,
      maxScale: 4,
      step: STEP,
      cursor: 'grab',
      handleStartEvent: () => {},
    });
    viewport.addEventListener('wheel', (event) => this.#panzoom.zoomWithWheel(event), {
      passive: false,
    });
    viewport.addEventListener('keydown', (event) => this.#onKey(event));
    viewport.addEventListener('pointerdown', (event) => this.#onDown(event), true);
    viewport.addEventListener('pointermove', (event) => this.#onMove(event), true);
    viewport.addEventListener('click', (event) => this.#onClick(event), true);
    buttons.zoomIn.addEventListener('click', () => this.zoomIn());
    buttons.zoomOut.addEventListener('click', () => this.zoomOut());
    buttons.fit.addEventListener('click', () => this.fit());
  }

  /** The current scale (1 = the whole plan fits). */
  get scale() {
    return this.#panzoom.getScale();
  }

  /**
   * A new plan: the frame takes the plan's shape (within the height the stylesheet
   * allows), the whole plan is in view, and it zooms until a seat is big enough to tap.
   */
  setPlan(plan) {
    this.#plan = plan;
    if (plan.width > 0 && plan.height > 0) {
      this.#viewport.style.aspectRatio = `${plan.width} / ${plan.height}`;
    }
    const radius = Math.min(...Array.from(plan.seats.values(), (seat) => seat.r).slice(0, 500));
    const maxScale = Math.max(2, MAX_SEAT_RADIUS_PX / (radius * this.#fitRatio()));
    this.#panzoom.setOptions({ maxScale });
    this.fit({ animate: false });
  }

  zoomIn() {
    this.#panzoom.zoomIn();
  }

  zoomOut() {
    this.#panzoom.zoomOut();
  }

  /** Show the whole plan. */
  fit({ animate = true } = {}) {
    this.#panzoom.reset({ animate });
  }

  /** Zoom so that a plan rectangle {x, y, width, height} fills the view. */
  zoomTo(box, { animate = true } = {}) {
    const ratio = this.#fitRatio();
    const { width, height } = this.#size();
    const scale = FIT_MARGIN * Math.min(width / (box.width * ratio), height / (box.height * ratio));
    this.#centre(box.x + box.width / 2, box.y + box.height / 2, scale, animate);
  }

  /** If plan point (x, y) is outside the view, pan it to the centre. */
  reveal(x, y) {
    const point = this.#toCanvas(x, y);
    const scale = this.scale;
    const pan = this.#panzoom.getPan();
    const { width, height } = this.#size();
    const screenX = scale * (point.x + pan.x);
    const screenY = scale * (point.y + pan.y);
    if (Math.abs(screenX) < width * 0.45 && Math.abs(screenY) < height * 0.45) return;
    this.#panzoom.pan(-point.x, -point.y, { animate: true, force: true });
  }

  #centre(x, y, scale, animate) {
    const point = this.#toCanvas(x, y);
    this.#panzoom.zoom(scale, { animate: false, force: true });
    // Panzoom translates before scaling, around the canvas's centre: -point centres it.
    this.#panzoom.pan(-point.x, -point.y, { animate, force: true });
  }

  /** Plan units → unscaled canvas pixels from the canvas's centre. */
  #toCanvas(x, y) {
    const ratio = this.#fitRatio();
    const { width, height } = this.#size();
    return {
      x: (width - this.#plan.width * ratio) / 2 + x * ratio - width / 2,
      y: (height - this.#plan.height * ratio) / 2 + y * ratio - height / 2,
    };
  }

  /** Canvas pixels per plan unit at scale 1 (the <svg> fits the plan in, centred). */
  #fitRatio() {
    const { width, height } = this.#size();
    if (!this.#plan || this.#plan.width <= 0 || this.#plan.height <= 0) return 1;
    return Math.min(width / this.#plan.width, height / this.#plan.height);
  }

  #size() {
    return { width: this.#canvas.offsetWidth || 1, height: this.#canvas.offsetHeight || 1 };
  }

  #onKey(event) {
    const action = ZOOM_KEYS[event.key];
    if (!action || event.ctrlKey || event.metaKey || event.altKey) return;
    event.preventDefault();
    if (action === 'in') this.zoomIn();
    else if (action === 'out') this.zoomOut();
    else this.fit();
  }

  #onDown(event) {
    this.#down = { x: event.clientX, y: event.clientY };
    this.#dragged = false;
  }

  #onMove(event) {
    if (this.#down === null || event.buttons === 0) return;
    const moved = Math.hypot(event.clientX - this.#down.x, event.clientY - this.#down.y);
    if (moved > DRAG_PX) this.#dragged = true;
  }

  #onClick(event) {
    this.#down = null;
    if (!this.#dragged) return;
    this.#dragged = false;
    event.stopPropagation();
    event.preventDefault();
  }
}
