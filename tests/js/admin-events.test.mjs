import assert from "node:assert/strict";
import { test } from "node:test";
import { ADMIN_EVENT_TYPES, debounce, needsRefresh, regionIds, toastFor } from "../../statuspage/static/js/lib/admin-events.js";
import { useSentences } from "../../statuspage/static/js/lib/words.js";

const INCIDENT_TYPES = ["INCIDENT_CREATED", "INCIDENT_UPDATED", "INCIDENT_STATUS_CHANGED", "INCIDENT_UPDATE_POSTED"];

test("incident events announce the update toast", () => {
  for (const type of INCIDENT_TYPES) assert.equal(toastFor(type), "New incident update received");
  assert.equal(toastFor("COMPONENT_STATUS_CHANGED"), "");
  assert.equal(toastFor("POSTMORTEM_PUBLISHED"), "A postmortem was published");
});

test("the admin stream listens for more than the public one", () => {
  for (const type of ["INCIDENT_CREATED", "RESYNC", "POSTMORTEM_UPDATED", "ACTION_ITEM_CHANGED", "DELIVERY_RETRIED"]) {
    assert.ok(ADMIN_EVENT_TYPES.includes(type), type);
    assert.ok(needsRefresh(type), type);
  }
  assert.equal(needsRefresh("SOMETHING_ELSE"), false);
  assert.equal(new Set(ADMIN_EVENT_TYPES).size, ADMIN_EVENT_TYPES.length);
});

test("regionIds keeps the regions both documents have, in page order", () => {
  assert.deepEqual(regionIds(["a", "b", "c"], ["c", "a", "z"]), ["a", "c"]);
  assert.deepEqual(regionIds([], ["a"]), []);
});

test("debounce runs once after a burst, with the last arguments", () => {
  const timers = [];
  const schedule = (fn) => { timers.push(fn); return timers.length; };
  const cancelled = new Set();
  const cancel = (id) => cancelled.add(id);
  const calls = [];
  const run = debounce((x) => calls.push(x), 100, schedule, cancel);
  run(1); run(2); run(3);
  assert.deepEqual([...cancelled], [1, 2]);
  timers[2]();
  assert.deepEqual(calls, [3]);
});

test("toasts are said in the words the console page ships", () => {
  useSentences({ toastIncident: "Neue Aktualisierung", toastPostmortem: "Nachbetrachtung veröffentlicht" });
  for (const type of INCIDENT_TYPES) assert.equal(toastFor(type), "Neue Aktualisierung");
  assert.equal(toastFor("POSTMORTEM_PUBLISHED"), "Nachbetrachtung veröffentlicht");
});
