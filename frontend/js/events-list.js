/**
 * The list of events on sale or coming up, each a link that opens it (`/?event=ID`);
 * the one shown is marked as the current page. Hidden when there is only one event and
 * it is the one asked for (or none was).
 */

const STATE_TEXT = { on_sale: 'On sale', scheduled: 'Sales not open yet', closed: 'Sales closed' };

/** Show `events` (EventInfo objects) in `nav`, marking `currentId`; returns id → name. */
export function showEvents(nav, list, events, currentId) {
  const valid = Array.isArray(events)
    ? events.filter((event) => typeof event?.id === 'string')
    : [];
  list.replaceChildren(...valid.map((event) => item(event, currentId)));
  const known = currentId === null || valid.some((event) => event.id === currentId);
  nav.hidden = valid.length < 2 && known;
  return new Map(valid.map((event) => [event.id, name(event)]));
}

/** Mark the event now shown (once the edge has said which one it is). */
export function markCurrent(list, currentId) {
  for (const link of list.querySelectorAll('a[data-event-id]')) {
    if (link.dataset.eventId === currentId) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function item(event, currentId) {
  const li = document.createElement('li');
  const link = document.createElement('a');
  link.href = `?event=${encodeURIComponent(event.id)}`;
  link.dataset.eventId = event.id;
  if (event.id === currentId) link.setAttribute('aria-current', 'page');
  const title = document.createElement('span');
  title.className = 'event-name';
  title.textContent = name(event);
  const detail = document.createElement('span');
  detail.className = 'event-detail';
  detail.textContent = [when(event.starts_at), STATE_TEXT[event.state]]
    .filter(Boolean)
    .join(' · ');
  link.append(title, detail);
  li.append(link);
  return li;
}

function name(event) {
  return typeof event.name === 'string' ? event.name : event.id;
}

function when(startsAt) {
  if (typeof startsAt !== 'string') return '';
  const date = new Date(startsAt);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
