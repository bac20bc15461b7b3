/**
 * Times as the dashboard writes them: a wall-clock time of day ("12:03:07") from an
 * ISO-8601 string or unix seconds (or milliseconds), in the browser's time zone.
 */

const FORMAT = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** "12:03:07" for a timestamp, or '' when it is not one. */
export function clockTime(value) {
  const ms = toMs(value);
  return ms === null ? '' : FORMAT.format(ms);
}

function toMs(value) {
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  if (!Number.isFinite(value)) return null;
  // Unix seconds until the year 33658; anything larger is already milliseconds.
  return value < 1e12 ? value * 1000 : value;
}
