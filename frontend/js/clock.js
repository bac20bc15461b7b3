/**
 * The server's time as this browser best knows it, so a hold's countdown follows
 * the server's deadline rather than a local guess.
 *
 * The local clock is trusted unless WELCOME's server_time shows it is clearly off:
 * server_time may have only whole-second precision, and network delay blurs it,
 * so small differences are noise and would only make the countdown jitter.
 */

const TRUST_LOCAL_WITHIN_MS = 2000;

let offsetMs = 0;

/** Take the server's clock reading from WELCOME (ISO string, unix s or unix ms). */
export function syncClock(serverTime) {
  const serverMs = toMillis(serverTime);
  if (serverMs === null) return;
  const offset = serverMs - Date.now();
  offsetMs = Math.abs(offset) > TRUST_LOCAL_WITHIN_MS ? offset : 0;
}

/** Now, in unix milliseconds of the server's clock. */
export function serverNow() {
  return Date.now() + offsetMs;
}

function toMillis(value) {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return value < 1e11 ? value * 1000 : value;
  }
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? toMillis(Number(value)) : parsed;
  }
  return null;
}
