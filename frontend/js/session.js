/**
 * This browser's identity: the session token and user id the edge handed out,
 * kept in localStorage so a reload or a reconnect is the same user again.
 */

const STORAGE_KEY = 'seat-booking.session';

/** The stored session, or a fresh user id without a token. */
export function loadSession() {
  const stored = readStorage();
  return {
    token: typeof stored?.token === 'string' ? stored.token : null,
    userId: typeof stored?.userId === 'string' ? stored.userId : newUserId(),
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
