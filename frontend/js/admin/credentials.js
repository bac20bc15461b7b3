/**
 * The operator's credentials for this tab: name and token, kept in sessionStorage so a
 * reload stays logged in and closing the tab logs out. Nothing else stores the token.
 */

const STORAGE_KEY = 'seat-booking.operator';

/** The stored {name, token}, or null when nobody is logged in. */
export function loadCredentials() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null');
    if (typeof stored?.name === 'string' && typeof stored?.token === 'string') return stored;
  } catch {
    // A value that is not ours is as good as none.
  }
  return null;
}

/** Keep {name, token} for this tab. */
export function saveCredentials(credentials) {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(credentials));
}

/** Forget the credentials (log out). */
export function forgetCredentials() {
  sessionStorage.removeItem(STORAGE_KEY);
}
