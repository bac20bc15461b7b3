/**
 * A seating plan (pretix's seating-plan JSON) read into what the page draws and names.
 *
 * Positions nest: a seat's place is its zone's + its row's + its own offset (y down),
 * and an area's is its zone's + its own. Seat ids are the plan's `seat_guid`s. Parts
 * the page cannot use (a seat without a guid, an area of an unknown shape) are skipped,
 * never guessed at: the server validated the plan before it served it.
 */

const DEFAULT_RADIUS = 10;
const GRID_PITCH = 36;
const GRID_RADIUS = 14;
const GRID_MARGIN = 48;
const GRID_STAGE = 90;
const GRID_CATEGORY = 'Standard';
const GRID_COLOR = '#2fbf71';
export const SHAPES = new Set(['rectangle', 'text', 'circle', 'ellipse', 'polygon']);

/**
 * @typedef {{id: string, zone: number, row: number, index: number, rowLabel: string,
 *            number: string, category: string, x: number, y: number, r: number}} PlanSeat
 * @typedef {{name: string, rows: {label: string, seats: string[]}[],
 *            box: {x: number, y: number, width: number, height: number}}} PlanZone
 * @typedef {{name: string, width: number, height: number, categories: Map<string, string>,
 *            zones: PlanZone[], rows: string[][], seats: Map<string, PlanSeat>,
 *            areas: object[]}} Plan
 */

/** The plan the page draws from a plan document. */
export function readPlan(data) {
  const plan = {
    name: text(data?.name),
    width: number(data?.size?.width, 0),
    height: number(data?.size?.height, 0),
    categories: new Map(),
    zones: [],
    rows: [],
    seats: new Map(),
    areas: [],
  };
  for (const category of list(data?.categories)) {
    if (typeof category?.name === 'string') {
      plan.categories.set(category.name, text(category.color));
    }
  }
  for (const zone of list(data?.zones)) readZone(plan, zone);
  for (const zone of plan.zones) zone.box = boxOf(zone, plan.seats);
  return plan;
}

function readZone(plan, zone) {
  const zx = number(zone?.position?.x, 0);
  const zy = number(zone?.position?.y, 0);
  const zoneIndex = plan.zones.length;
  const entry = { name: text(zone?.name), rows: [], box: null };
  for (const row of list(zone?.rows)) {
    const rx = zx + number(row?.position?.x, 0);
    const ry = zy + number(row?.position?.y, 0);
    const label = text(row?.row_label) || text(row?.row_number);
    const ids = [];
    for (const seat of list(row?.seats)) {
      const id = seat?.seat_guid;
      if (typeof id !== 'string' || plan.seats.has(id)) continue;
      plan.seats.set(id, {
        id,
        zone: zoneIndex,
        row: plan.rows.length,
        index: ids.length,
        rowLabel: label,
        number: text(seat.seat_number),
        category: text(seat.category),
        x: rx + number(seat.position?.x, 0),
        y: ry + number(seat.position?.y, 0),
        r: number(seat.radius, DEFAULT_RADIUS),
      });
      ids.push(id);
    }
    if (ids.length === 0) continue;
    entry.rows.push({ label, seats: ids });
    plan.rows.push(ids);
  }
  for (const area of list(zone?.areas)) {
    if (SHAPES.has(area?.shape)) plan.areas.push({ ...area, offset: { x: zx, y: zy } });
  }
  if (entry.rows.length > 0) plan.zones.push(entry);
}

/** The bounding box of a zone's seats, padded by their radius. */
function boxOf(zone, seats) {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const row of zone.rows) {
    for (const id of row.seats) {
      const { x, y, r } = seats.get(id);
      x0 = Math.min(x0, x - r);
      y0 = Math.min(y0, y - r);
      x1 = Math.max(x1, x + r);
      y1 = Math.max(y1, y + r);
    }
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * A plan for a seed-style venue that has none: one zone "Hall", rows A… of seats 1…,
 * the seats' ids as the server sent them, a stage above the first row.
 */
export function gridPlan(seats) {
  const rows = 1 + Math.max(0, ...seats.map((seat) => seat.row));
  const cols = 1 + Math.max(0, ...seats.map((seat) => seat.col));
  const width = 2 * GRID_MARGIN + (cols - 1) * GRID_PITCH;
  const byRow = Array.from({ length: rows }, () => []);
  for (const seat of seats) byRow[seat.row]?.push(seat);
  return readPlan({
    name: 'Hall',
    size: { width, height: GRID_STAGE + GRID_MARGIN + (rows - 1) * GRID_PITCH + GRID_MARGIN },
    categories: [{ name: GRID_CATEGORY, color: GRID_COLOR }],
    zones: [
      {
        name: 'Hall',
        position: { x: GRID_MARGIN, y: GRID_STAGE + GRID_MARGIN },
        areas: [stageArea(width)],
        rows: byRow.map((rowSeats, row) => ({
          row_number: rowLabel(row),
          position: { x: 0, y: row * GRID_PITCH },
          seats: rowSeats
            .sort((a, b) => a.col - b.col)
            .map((seat) => ({
              seat_guid: seat.id,
              seat_number: String(seat.col + 1),
              category: GRID_CATEGORY,
              radius: GRID_RADIUS,
              position: { x: seat.col * GRID_PITCH, y: 0 },
            })),
        })),
      },
    ],
  });
}

function stageArea(width) {
  return {
    shape: 'rectangle',
    color: '#2b2f5c',
    position: { x: width / 4 - GRID_MARGIN, y: -GRID_STAGE - GRID_MARGIN + 16 },
    rectangle: { width: width / 2, height: 44 },
    text: { text: 'Stage', size: 16 },
  };
}

/** Row letters for a 0-based row: 0 → A, 25 → Z, 26 → AA (as the server names seats). */
function rowLabel(row) {
  let label = '';
  for (let n = row + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    label = String.fromCharCode(65 + ((n - 1) % 26)) + label;
  }
  return label;
}

/** "Stalls, Row A, Seat 1": zone, row label, seat number. */
export function displayName(plan, seat) {
  return `${plan.zones[seat.zone].name}, Row ${seat.rowLabel}, Seat ${seat.number}`;
}

function list(value) {
  return Array.isArray(value) ? value : [];
}

function text(value) {
  return typeof value === 'string' ? value : '';
}

function number(value, fallback) {
  return Number.isFinite(value) ? value : fallback;
}
