import assert from "node:assert/strict";
import { test } from "node:test";

import { addDays, dayTitle, formatDay, formatLocal } from "../../statuspage/static/js/lib/timefmt.js";

test("local time names the zone of the moment across DST", () => {
  assert.equal(formatLocal("2026-03-29T00:30:00Z", { timeZone: "Europe/Berlin" }), "29 Mar 2026, 01:30 CET");
  assert.equal(formatLocal("2026-03-29T01:30:00Z", { timeZone: "Europe/Berlin" }), "29 Mar 2026, 03:30 CEST");
});

test("an incident spanning midnight shows each end on its own local day", () => {
  assert.equal(formatLocal("2026-06-30T21:30:00Z", { timeZone: "Europe/Berlin" }), "30 Jun 2026, 23:30 CEST");
  assert.equal(formatLocal("2026-06-30T22:30:00Z", { timeZone: "Europe/Berlin" }), "1 Jul 2026, 00:30 CEST");
});

test("bad or missing input gives an empty string", () => {
  assert.equal(formatLocal(null), "");
  assert.equal(formatLocal("not a date"), "");
});

test("calendar days do not shift with the reader's zone", () => {
  assert.equal(formatDay("2026-03-29"), "29 Mar 2026");
  assert.equal(addDays("2026-02-27", 2), "2026-03-01");
  assert.equal(addDays("2026-12-31", 1), "2027-01-01");
  assert.equal(dayTitle("2026-03-29", 100), "29 Mar 2026: 100% uptime, no incidents");
  assert.equal(dayTitle("2026-03-29", null), "29 Mar 2026: no data");
});
