/**
 * What the page says when a cart request is answered: a sentence per success, built
 * from the answer's data, and one per failure for when the server gives none (the
 * server's own sentence is always preferred).
 */

const FAILURES = {
  ADD_TO_CART: 'Could not add the seat to your cart.',
  REMOVE_FROM_CART: 'Could not take the seat out of your cart.',
  BEST_AVAILABLE: 'Could not find seats for you.',
  CHECKOUT: 'Could not add checkout time to your cart.',
  BOOK_CART: 'Could not book your cart.',
};

const SUCCESSES = {
  ADD_TO_CART: (info, seatId, name) => `${name(seatId)} is in your cart.`,
  REMOVE_FROM_CART: (info, seatId, name) => `${name(seatId)} is out of your cart.`,
  BEST_AVAILABLE: (info, seatId, name) => found(info.seat_ids, name),
  CHECKOUT: (info) => `Checkout time added: your seats are held until ${clockTime(info.cart)}.`,
  BOOK_CART: (info) => `Booked! Your reference is ${String(info.order?.reference ?? '')}.`,
};

/**
 * The sentence for a successful answer to `type`; `info` is the answer's data,
 * `seatId` the seat the request was about (or null), `name(seatId)` names a seat.
 */
export function successText(type, info, seatId, name) {
  return SUCCESSES[type](info, seatId, name);
}

/** The sentence for a refusal of `type` that came without one. */
export function failureText(type) {
  return FAILURES[type];
}

function found(seatIds, name) {
  const ids = Array.isArray(seatIds) ? seatIds.map(String) : [];
  const count = ids.length === 1 ? 'a seat' : `${ids.length} seats`;
  return `Found ${count} for you: ${ids.map(name).join('; ')}.`;
}

/** The cart's deadline as a time of day. */
function clockTime(cart) {
  if (!Number.isFinite(cart?.expires_at_ms)) return 'later';
  return new Date(cart.expires_at_ms).toLocaleTimeString(undefined, { timeStyle: 'short' });
}
