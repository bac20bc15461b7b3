/**
 * This browser's identity: the session token, user id and holder tag the edge handed
 * out, kept in localStorage so a reload or a reconnect is the same session again. The
 * holder tag is what marks a hold as ours; the user id is only a display name.
 */

const STORAGE_KEY = 'seat-booking.session';

/** The stored session, or a fresh user id without a token or holder tag. */
export function loadSession() {
  const stored = readStorage();
  return {
    token: typeof stored?.token === 'string' ? stored.token : null,
    userId: typeof stored?.userId === 'string' ? stored.userId : newUserId(),
    holder: typeof stored?.holder === 'string' ? stored.holder : null,
  };
}

/** Remember the session for the next visit; a no-op where storage is blocked. */
export function saveSession(session) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  } catch {
    // Private mode or storage disabled: the session then lasts as long as the tab.
  }
}

function readStorage() {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
    return value !== null && typeof value === 'object' ? value : null;
  } catch {
    // Unreadable or corrupt storage counts as no session.
    return null;
  }
}

function newUserId() {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return `user-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
