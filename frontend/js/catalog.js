/**
 * The events REST API as the page reads it: the list of events, one event's details
 * (name, prices, currency, hold time) and its seating plan.
 *
 * The plan is fetched with the browser's HTTP cache in charge (the server sends an
 * ETag and Cache-Control), so a reload revalidates instead of downloading it again.
 * Each call resolves to the parsed JSON, or to null when the server has no such
 * resource (404) or no events API at all; other failures reject.
 */

/** `GET /api/events`: the events on sale or scheduled, or null without an events API. */
export function fetchEvents() {
  return getJson('/api/events');
}

/** `GET /api/events/{id}`: one event's details, or null if there is no such event. */
export function fetchEvent(eventId) {
  return getJson(`/api/events/${encodeURIComponent(eventId)}`);
}

/** `GET /api/events/{id}/plan`: the event's seating plan, or null if there is none. */
export function fetchPlan(eventId) {
  return getJson(`/api/events/${encodeURIComponent(eventId)}/plan`);
}

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: 'application/json' } });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}
