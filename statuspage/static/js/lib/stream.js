// An EventSource that resumes where it stopped.
// The browser resends Last-Event-ID when it reconnects by itself; when the
// connection is closed for good (an HTTP error, a server restart refused) we
// open a new one with ?last_event_id= so no event is missed.

export const EVENT_TYPES = [
  "INCIDENT_CREATED", "INCIDENT_UPDATED", "INCIDENT_STATUS_CHANGED", "INCIDENT_UPDATE_POSTED",
  "POSTMORTEM_PUBLISHED", "COMPONENT_STATUS_CHANGED", "MAINTENANCE_SCHEDULED", "MAINTENANCE_UPDATED",
  "MAINTENANCE_STARTED", "MAINTENANCE_COMPLETED", "RESYNC",
];
const CLOSED = 2;

export function resumeUrl(url, lastEventId) {
  if (!lastEventId) return url;
  const sep = url.includes("?") ? "&" : "?";
  return `${url}${sep}last_event_id=${encodeURIComponent(lastEventId)}`;
}

export function backoff(attempt) {
  return Math.min(30000, 1000 * 2 ** Math.min(attempt, 5));
}

/**
 * The wait before reopening a stream that closed for good, when the server may be
 * refusing streams at its cap (an EventSource cannot read the 503's Retry-After):
 * the first retry is quick (a restart), later ones wait about ``retrySeconds``
 * (jittered from 1x to 2x, like the server's Retry-After) while the page polls.
 */
export function cappedBackoff(attempt, retrySeconds, random = Math.random) {
  if (attempt === 0) return backoff(0);
  return Math.max(backoff(attempt), Math.round(retrySeconds * 1000 * (1 + random())));
}

/**
 * Open ``url`` and call ``onEvent(type, data, id)`` for every event, in order.
 * ``lastEventId`` is where to start (the page's render position); ``types``
 * the event names to listen for (the admin stream carries more); ``retryDelay(attempt)``
 * the wait before reopening a closed stream.
 * Returns ``{close(), lastEventId(), setLastEventId(id)}`` (the latter when the caller
 * refreshed its state another way, e.g. by polling). ``EventSourceImpl`` and
 * ``schedule`` are injectable for tests.
 */
export function openStream(url, { onEvent, onState = () => {}, EventSourceImpl = globalThis.EventSource,
  schedule = (fn, ms) => setTimeout(fn, ms), lastEventId = null, types = EVENT_TYPES,
  retryDelay = backoff } = {}) {
  // Start from the stream position the page was rendered at, so events that
  // happened between rendering and connecting are replayed too.
  let lastId = lastEventId;
  let source = null;
  let attempts = 0;
  let closed = false;

  const connect = () => {
    source = new EventSourceImpl(resumeUrl(url, lastId));
    source.onopen = () => { attempts = 0; onState("open"); };
    source.onerror = () => {
      if (closed) return;
      if (source.readyState === CLOSED) {
        onState("closed");
        schedule(connect, retryDelay(attempts++));
      } else {
        onState("reconnecting");
      }
    };
    for (const type of types) {
      source.addEventListener(type, (event) => {
        if (event.lastEventId) lastId = event.lastEventId;
        let data = null;
        try { data = event.data ? JSON.parse(event.data) : null; } catch { data = null; }
        onEvent(type, data, event.lastEventId);
      });
    }
  };
  connect();
  return {
    close() { closed = true; source?.close(); },
    lastEventId: () => lastId,
    setLastEventId(id) { if (id) lastId = id; },
  };
}
