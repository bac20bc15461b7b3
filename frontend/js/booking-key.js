/**
 * The idempotency key of the booking being attempted: made once per attempt with
 * crypto.randomUUID and kept in sessionStorage until the attempt is over, so a double
 * click, a resend after a reconnect or a reload sends the same key again, and the
 * server answers with the one order it made.
 */

const STORAGE_KEY = 'seat-booking.booking-key';

/** The key where sessionStorage is blocked. */
let fallback = null;

/** The key of the attempt under way, made now if there is none. */
export function bookingKey() {
  const kept = read();
  if (kept !== null) return kept;
  const key = newKey();
  try {
    sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    // Storage blocked: the key then lasts as long as the page.
    fallback = key;
  }
  return key;
}

/** The attempt is over (booked, or its cart is gone): the next booking gets a new key. */
export function forgetBookingKey() {
  fallback = null;
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing stored where storage is blocked.
  }
}

function read() {
  try {
    return sessionStorage.getItem(STORAGE_KEY) ?? fallback;
  } catch {
    return fallback;
  }
}

/** A random UUID, or 32 random hex digits where crypto.randomUUID is missing (plain http). */
function newKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
