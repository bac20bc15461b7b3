/**
 * Seats sold per minute, as bars over the last 30 minutes, drawn by the vendored uPlot
 * (vendor/uPlot.esm.js, MIT). The chart follows its container's width; its data is
 * replaced by each DASHBOARD's `sales_per_minute` (oldest first, zeros included), and
 * a sentence under it sums them up (what screen readers get instead of the bars).
 */

import uPlot from '../../vendor/uPlot.esm.js';

const HEIGHT = 170;
const BAR_COLOUR = '#2fbf71';
const AXIS_COLOUR = '#a9aed0';
const GRID_COLOUR = 'rgba(169, 174, 208, 0.15)';
const MINUTE = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

export class SalesChart {
  #container;
  #summary;
  #chart = null;
  #data = [[], []];

  /** @param {HTMLElement} container  @param {HTMLElement} summary  text read out instead */
  constructor(container, summary) {
    this.#container = container;
    this.#summary = summary;
    new ResizeObserver(() => this.#resize()).observe(container);
  }

  /** Show `[{minute, seats}]`, oldest first. */
  show(perMinute) {
    const points = (Array.isArray(perMinute) ? perMinute : [])
      .map((point) => [Date.parse(point?.minute) / 1000, Number(point?.seats)])
      .filter(([minute, seats]) => Number.isFinite(minute) && Number.isFinite(seats));
    this.#data = [points.map(([minute]) => minute), points.map(([, seats]) => seats)];
    if (this.#chart === null) this.#create();
    else this.#chart.setData(this.#data);
    this.#describe(points);
  }

  #create() {
    const width = this.#container.clientWidth;
    if (width === 0) return;
    this.#chart = new uPlot(options(width), this.#data, this.#container);
  }

  #resize() {
    const width = this.#container.clientWidth;
    if (width === 0) return;
    if (this.#chart === null) this.#create();
    else this.#chart.setSize({ width, height: HEIGHT });
  }

  #describe(points) {
    const total = points.reduce((sum, [, seats]) => sum + seats, 0);
    const last = points.at(-1)?.[1] ?? 0;
    const seats = total === 1 ? 'seat' : 'seats';
    this.#summary.textContent =
      `${total.toLocaleString()} ${seats} sold in the last ${points.length} minutes; ` +
      `${last.toLocaleString()} in the current minute.`;
  }
}

function options(width) {
  const axis = {
    stroke: AXIS_COLOUR,
    grid: { stroke: GRID_COLOUR, width: 1 },
    ticks: { stroke: GRID_COLOUR, width: 1 },
    font: '12px system-ui, sans-serif',
  };
  return {
    width,
    height: HEIGHT,
    legend: { show: false },
    cursor: { show: true, points: { show: false }, drag: { x: false, y: false } },
    scales: {
      // Half a minute either side, so the first and last bars show whole.
      x: { time: true, range: (_, min, max) => [min - 30, max + 30] },
      y: { range: (_, min, max) => [0, Math.max(5, max * 1.15)] },
    },
    axes: [
      { ...axis, values: (_, ticks) => ticks.map((tick) => MINUTE.format(tick * 1000)) },
      { ...axis, size: 40, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] },
    ],
    series: [
      {},
      {
        label: 'Seats',
        stroke: BAR_COLOUR,
        fill: 'rgba(47, 191, 113, 0.55)',
        width: 1,
        paths: uPlot.paths.bars({ size: [0.7, 40] }),
        points: { show: false },
      },
    ],
  };
}
