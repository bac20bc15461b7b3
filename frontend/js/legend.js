/**
 * The legend: one entry per seat category with its colour and price (an available
 * seat shows its category's colour), then the other seat states with the same marks
 * the map uses (ring yours, stripes held, cross booked, bar not for sale). Swatches
 * are small SVG circles filled like the seats.
 */

import { svgElement } from './plan-view.js';

const STATES = [
  ['held mine', 'Held by you'],
  ['held', 'Held by someone'],
  ['booked', 'Booked'],
  ['blocked', 'Not for sale'],
];

/** Fill `list` with the plan's categories (and prices) and the seat states. */
export function showLegend(list, plan, price) {
  const categories = Array.from(plan.categories, ([name, color]) => {
    const cost = price(name);
    return entry(swatch('available', color), cost ? `${name} · ${cost}` : name, 'legend-category');
  });
  const states = STATES.map(([state, text]) =>
    entry(swatch(state, '#6b7089'), text, 'legend-state'),
  );
  list.replaceChildren(...categories, ...states);
}

function entry(icon, text, className) {
  const li = document.createElement('li');
  li.className = className;
  const label = document.createElement('span');
  label.textContent = text;
  li.append(icon, label);
  return li;
}

function swatch(state, color) {
  const svg = svgElement('svg', { class: 'swatch', viewBox: '0 0 24 24', 'aria-hidden': 'true' });
  svg.append(svgElement('circle', { class: `seat ${state}`, cx: 12, cy: 12, r: 10, fill: color }));
  return svg;
}
