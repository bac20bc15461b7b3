/**
 * The plan as one SVG: areas (stage, labels) under the seats, each seat one
 * <circle class="seat available" data-seat-id> filled with its category's colour.
 *
 * The whole map is built off-document in one DocumentFragment and attached once, so a
 * 20,000-seat arena costs one layout; nothing here listens to seats (the seat map
 * delegates from the <svg>). Held, booked and blocked seats get their shape from the
 * patterns in <defs>, chosen by class in styles.css. Every string from the plan
 * becomes an attribute or textContent, never markup.
 */

import { SHAPES } from './plan.js';

const SVG = 'http://www.w3.org/2000/svg';
const PATTERNS = {
  'pattern-held': [
    ['rect', { width: 1, height: 1, class: 'pattern-held-ground' }],
    ['path', { d: 'M0 .5L.5 0M0 1L1 0M.5 1L1 .5', class: 'pattern-held-stripe' }],
  ],
  'pattern-booked': [
    ['rect', { width: 1, height: 1, class: 'pattern-booked-ground' }],
    ['path', { d: 'M.28 .28L.72 .72M.72 .28L.28 .72', class: 'pattern-booked-cross' }],
  ],
  'pattern-blocked': [
    ['rect', { width: 1, height: 1, class: 'pattern-blocked-ground' }],
    ['path', { d: 'M.25 .5H.75', class: 'pattern-blocked-bar' }],
  ],
};

/** Create an SVG element with attributes. */
export function svgElement(tag, attributes = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, String(value));
  return el;
}

export class PlanView {
  #container;
  #svg = null;
  /** seat id → its <circle> */
  #elements = new Map();

  /** @param {HTMLElement} container  the element the <svg> goes into */
  constructor(container) {
    this.#container = container;
  }

  /** The <svg> of the current plan (null before the first draw). */
  get svg() {
    return this.#svg;
  }

  /** Replace whatever is shown with `plan`; every seat starts as `seat available`. */
  draw(plan, { label = 'Seat map' } = {}) {
    const svg = svgElement('svg', {
      class: 'plan',
      viewBox: `0 0 ${plan.width} ${plan.height}`,
      preserveAspectRatio: 'xMidYMid meet',
      role: 'group',
      'aria-label': label,
    });
    const fragment = document.createDocumentFragment();
    fragment.append(patterns(), areas(plan), rowLabels(plan), this.#seats(plan));
    svg.append(fragment);
    this.#container.replaceChildren(svg);
    this.#svg = svg;
    return svg;
  }

  /** The element of one seat, or undefined. */
  element(seatId) {
    return this.#elements.get(seatId);
  }

  #seats(plan) {
    this.#elements = new Map();
    const group = svgElement('g', { class: 'seats' });
    for (const seat of plan.seats.values()) {
      const el = document.createElementNS(SVG, 'circle');
      el.setAttribute('class', 'seat available');
      el.setAttribute('cx', seat.x);
      el.setAttribute('cy', seat.y);
      el.setAttribute('r', seat.r);
      el.setAttribute('fill', plan.categories.get(seat.category) || '#888');
      el.setAttribute('data-seat-id', seat.id);
      el.setAttribute('tabindex', '-1');
      group.append(el);
      this.#elements.set(seat.id, el);
    }
    return group;
  }
}

function patterns() {
  const defs = svgElement('defs');
  for (const [id, parts] of Object.entries(PATTERNS)) {
    const pattern = svgElement('pattern', {
      id,
      width: 1,
      height: 1,
      patternUnits: 'objectBoundingBox',
      patternContentUnits: 'objectBoundingBox',
    });
    for (const [tag, attributes] of parts) pattern.append(svgElement(tag, attributes));
    defs.append(pattern);
  }
  return defs;
}

function areas(plan) {
  const group = svgElement('g', { class: 'areas', 'aria-hidden': 'true' });
  for (const area of plan.areas) {
    const el = area.shape === 'text' ? label(area, 0, 0) : shape(area);
    if (el) group.append(el);
  }
  return group;
}

/** Each row's label just before its first seat, in the seats' own size. */
function rowLabels(plan) {
  const group = svgElement('g', { class: 'row-labels', 'aria-hidden': 'true' });
  for (const zone of plan.zones) {
    for (const row of zone.rows) {
      const first = plan.seats.get(row.seats[0]);
      const next = plan.seats.get(row.seats[1]) ?? { x: first.x + 1, y: first.y };
      const length = Math.hypot(next.x - first.x, next.y - first.y) || 1;
      const gap = 2.2 * first.r;
      const el = svgElement('text', {
        class: 'row-label',
        x: first.x - (gap * (next.x - first.x)) / length,
        y: first.y - (gap * (next.y - first.y)) / length,
        'text-anchor': 'middle',
        'dominant-baseline': 'central',
        'font-size': first.r,
      });
      el.textContent = row.label;
      group.append(el);
    }
  }
  return group;
}

/** One area as a <g> placed at its position (and rotation), its text on top. */
function shape(area) {
  const body = areaBody(area);
  if (!body) return null;
  const x = area.offset.x + num(area.position?.x);
  const y = area.offset.y + num(area.position?.y);
  const group = svgElement('g', { class: 'area', transform: placement(x, y, area.rotation) });
  body.setAttribute('fill', area.color || '#2b2f5c');
  group.append(body);
  if (typeof area.text?.text === 'string' && area.text.text !== '') {
    const centre = areaCentre(area);
    group.append(label(area, centre.x, centre.y, true));
  }
  return group;
}

function areaBody(area) {
  if (!SHAPES.has(area.shape)) return null;
  if (area.shape === 'rectangle') {
    return svgElement('rect', {
      width: num(area.rectangle?.width),
      height: num(area.rectangle?.height),
      rx: 6,
    });
  }
  if (area.shape === 'circle') return svgElement('circle', { r: num(area.circle?.radius) });
  if (area.shape === 'ellipse') {
    return svgElement('ellipse', {
      rx: num(area.ellipse?.radius?.x),
      ry: num(area.ellipse?.radius?.y),
    });
  }
  if (area.shape === 'polygon') {
    const points = (Array.isArray(area.polygon?.points) ? area.polygon.points : [])
      .map((point) => `${num(point?.x)},${num(point?.y)}`)
      .join(' ');
    return svgElement('polygon', { points });
  }
  return null;
}

function areaCentre(area) {
  if (area.shape === 'rectangle') {
    return { x: num(area.rectangle?.width) / 2, y: num(area.rectangle?.height) / 2 };
  }
  return { x: 0, y: 0 };
}

/** A text label: a text area on its own, or the caption of a shape (centred in it). */
function label(area, cx, cy, caption = false) {
  const own = area.text?.position;
  const x = caption && own ? num(own.x) : cx;
  const y = caption && own ? num(own.y) : cy;
  const el = svgElement('text', {
    class: caption ? 'area-caption' : 'area-label',
    'text-anchor': 'middle',
    'dominant-baseline': 'central',
    'font-size': num(area.text?.size) || 16,
  });
  if (!caption) {
    el.setAttribute(
      'transform',
      placement(
        area.offset.x + num(area.position?.x),
        area.offset.y + num(area.position?.y),
        area.rotation,
      ),
    );
    el.setAttribute('fill', area.color || '#a9aed0');
  } else {
    el.setAttribute('x', x);
    el.setAttribute('y', y);
  }
  el.textContent = typeof area.text?.text === 'string' ? area.text.text : '';
  return el;
}

function placement(x, y, rotation) {
  const turn = Number.isFinite(rotation) && rotation !== 0 ? ` rotate(${rotation})` : '';
  return `translate(${x} ${y})${turn}`;
}

function num(value) {
  return Number.isFinite(value) ? value : 0;
}
