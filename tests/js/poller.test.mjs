import assert from "node:assert/strict";
import { test } from "node:test";

import { jittered, startPolling } from "../../statuspage/static/js/lib/poller.js";
import { cappedBackoff, openStream } from "../../statuspage/static/js/lib/stream.js";

function response(status, body, etag) {
  return { status, headers: { get: (name) => (name === "ETag" ? etag : null) }, json: async () => body };
}

function harness(answers) {
  const calls = [];
  const timers = [];
  const fetchImpl = async (url, options) => {
    calls.push({ url, options });
    const next = answers.shift();
    if (next instanceof Error) throw next;
    return next;
  };
  return { calls, timers, fetchImpl, schedule: (fn, ms) => { timers.push({ fn, ms }); return timers.length; } };
}

test("jitter spreads the advertised interval by 20 % either way", () => {
  assert.equal(jittered(10, () => 0), 8000);
  assert.equal(jittered(10, () => 0.5), 10000);
  assert.equal(jittered(10, () => 0.999999), 12000);
});

test("polls with If-None-Match, applies new documents only, keeps going after errors", async () => {
  const h = harness([response(200, { v: 1 }, '"a"'), response(304, null, '"a"'), new Error("offline"),
    response(200, { v: 2 }, '"b"')]);
  const seen = [];
  const poller = startPolling("/api/public/status", { intervalSeconds: 10, onSnapshot: (d) => seen.push(d.v),
    fetchImpl: h.fetchImpl, schedule: h.schedule, random: () => 0.5 });
  assert.equal(h.calls.length, 0, "the page already has the state: first poll after one interval");
  for (let i = 0; i < 4; i++) await h.timers[i].fn();
  assert.deepEqual(h.timers.map((t) => t.ms), [10000, 10000, 10000, 10000, 10000]);
  assert.deepEqual(seen, [1, 2]);
  assert.equal(h.calls[0].options.headers["If-None-Match"], undefined);
  assert.equal(h.calls[1].options.headers["If-None-Match"], '"a"');
  assert.equal(h.calls[3].options.headers["If-None-Match"], '"a"');
  assert.equal(h.calls[0].options.cache, "no-store");
  assert.equal(poller.polling, true);
});

test("stop cancels the pending poll and ignores an answer still in flight", async () => {
  const h = harness([response(200, { v: 1 }, '"a"')]);
  const cancelled = [];
  const seen = [];
  const poller = startPolling("/s", { intervalSeconds: 5, onSnapshot: (d) => seen.push(d), fetchImpl: h.fetchImpl,
    schedule: h.schedule, cancel: (t) => cancelled.push(t), random: () => 0 });
  const inFlight = h.timers[0].fn();
  poller.stop();
  await inFlight;
  assert.deepEqual(seen, []);
  assert.equal(h.timers.length, 1, "no further poll is scheduled");
  assert.deepEqual(cancelled, [1]);
  assert.equal(poller.polling, false);
});

test("a refused stream is retried quickly once, then after the server's retry window", () => {
  assert.equal(cappedBackoff(0, 30, () => 0.9), 1000);
  assert.equal(cappedBackoff(1, 30, () => 0), 30000);
  assert.equal(cappedBackoff(1, 30, () => 0.5), 45000);
  assert.equal(cappedBackoff(4, 1, () => 0), 16000, "never sooner than the plain backoff");
});

test("a stream reopened after polling resumes from the polled document's position", () => {
  const opened = [];
  class ES {
    constructor(url) { this.url = url; this.readyState = 0; opened.push(this); }
    addEventListener() {}
    close() { this.readyState = 2; }
  }
  const timers = [];
  const delays = [];
  const stream = openStream("/api/stream/public", { EventSourceImpl: ES, onEvent: () => {}, lastEventId: "1-0",
    schedule: (fn, ms) => timers.push([fn, ms]), retryDelay: (attempt) => { delays.push(attempt); return 7; } });
  opened[0].readyState = 2;
  opened[0].onerror();
  stream.setLastEventId("9-0");
  stream.setLastEventId(null);  // a document without a position keeps the last one
  timers[0][0]();
  assert.equal(opened[1].url, "/api/stream/public?last_event_id=9-0");
  assert.deepEqual(timers.map(([, ms]) => ms), [7]);
  assert.deepEqual(delays, [0]);
});
