// Polling fallback for readers the server would not give a stream (503 past its cap, or a
// proxy that breaks SSE): fetch the cached status document with If-None-Match on an
// interval the server advertises, spread by jitter so refused readers do not poll in step.

/** ``seconds`` ± 20 %, in milliseconds; ``random`` is injectable for tests. */
export function jittered(seconds, random = Math.random) {
  return Math.round(seconds * 1000 * (0.8 + 0.4 * random()));
}

/**
 * Poll ``url`` every ``intervalSeconds`` (jittered) until ``stop()``; ``onSnapshot(json)``
 * gets each new document (a 304 means nothing changed and costs the server no body).
 * The first poll runs after one interval: the caller already has the page's state.
 * ``fetchImpl``, ``schedule``, ``cancel`` and ``random`` are injectable for tests.
 */
export function startPolling(url, { intervalSeconds, onSnapshot, fetchImpl = globalThis.fetch,
  schedule = (fn, ms) => setTimeout(fn, ms), cancel = (timer) => clearTimeout(timer),
  random = Math.random } = {}) {
  let etag = null;
  let timer = null;
  let stopped = false;

  const poll = async () => {
    try {
      const headers = { Accept: "application/json" };
      if (etag) headers["If-None-Match"] = etag;
      // "no-store": the ETag round trip is ours; the HTTP cache must not answer instead.
      const response = await fetchImpl(url, { cache: "no-store", headers });
      if (!stopped && response.status === 200) {
        etag = response.headers.get("ETag");
        onSnapshot(await response.json());
      }
    } catch (e) { /* offline or refused: the next tick tries again */ }
    if (!stopped) timer = schedule(poll, jittered(intervalSeconds, random));
  };
  timer = schedule(poll, jittered(intervalSeconds, random));
  return {
    stop() { stopped = true; cancel(timer); },
    get polling() { return !stopped; },
  };
}
