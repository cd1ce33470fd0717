import assert from "node:assert/strict";
import { test } from "node:test";

import { backoff, openStream, resumeUrl } from "../../statuspage/static/js/lib/stream.js";

class FakeEventSource {
  static instances = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.listeners = {};
    FakeEventSource.instances.push(this);
  }
  addEventListener(type, fn) { (this.listeners[type] ??= []).push(fn); }
  emit(type, data, lastEventId) {
    for (const fn of this.listeners[type] ?? []) fn({ data: JSON.stringify(data), lastEventId });
  }
  close() { this.readyState = 2; }
}

test("resume URL carries the last event id", () => {
  assert.equal(resumeUrl("/api/stream/public", null), "/api/stream/public");
  assert.equal(resumeUrl("/api/stream/public", "17-0"), "/api/stream/public?last_event_id=17-0");
  assert.equal(resumeUrl("/s?x=1", "a b"), "/s?x=1&last_event_id=a%20b");
});

test("backoff grows and caps at 30 s", () => {
  assert.equal(backoff(0), 1000);
  assert.equal(backoff(3), 8000);
  assert.equal(backoff(20), 30000);
});

test("events are delivered in order and a closed stream reopens from the last id", () => {
  FakeEventSource.instances = [];
  const seen = [];
  const states = [];
  const timers = [];
  const stream = openStream("/api/stream/public", {
    EventSourceImpl: FakeEventSource,
    onEvent: (type, data, id) => seen.push([type, data?.n, id]),
    onState: (s) => states.push(s),
    schedule: (fn, ms) => timers.push([fn, ms]),
  });
  const first = FakeEventSource.instances[0];
  first.onopen();
  first.emit("INCIDENT_CREATED", { n: 1 }, "5-0");
  first.emit("COMPONENT_STATUS_CHANGED", { n: 2 }, "6-0");
  first.readyState = 0;
  first.onerror();  // the browser reconnects by itself (Last-Event-ID header)
  assert.equal(FakeEventSource.instances.length, 1);
  first.readyState = 2;
  first.onerror();  // closed for good: we reopen ourselves
  assert.deepEqual(timers.map(([, ms]) => ms), [1000]);
  timers[0][0]();
  const second = FakeEventSource.instances[1];
  assert.equal(second.url, "/api/stream/public?last_event_id=6-0");
  second.emit("RESYNC", null, "");
  assert.deepEqual(seen, [["INCIDENT_CREATED", 1, "5-0"], ["COMPONENT_STATUS_CHANGED", 2, "6-0"], ["RESYNC", undefined, ""]]);
  assert.deepEqual(states, ["open", "reconnecting", "closed"]);
  assert.equal(stream.lastEventId(), "6-0");
  stream.close();
  second.onerror();
  assert.equal(timers.length, 1);
});

test("a malformed payload still reaches the handler as null", () => {
  FakeEventSource.instances = [];
  const seen = [];
  openStream("/s", { EventSourceImpl: FakeEventSource, onEvent: (type, data) => seen.push([type, data]) });
  for (const fn of FakeEventSource.instances[0].listeners.INCIDENT_UPDATED) fn({ data: "{broken", lastEventId: "1-0" });
  assert.deepEqual(seen, [["INCIDENT_UPDATED", null]]);
});

test("the first connection starts from the page's render position", () => {
  FakeEventSource.instances = [];
  openStream("/s", { EventSourceImpl: FakeEventSource, onEvent: () => {}, lastEventId: "99-1" });
  assert.equal(FakeEventSource.instances[0].url, "/s?last_event_id=99-1");
});
