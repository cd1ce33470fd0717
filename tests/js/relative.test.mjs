import assert from "node:assert/strict";
import { test } from "node:test";

import { relativeTime } from "../../statuspage/static/js/lib/relative.js";

const NOW = Date.parse("2026-12-01T12:00:00Z");

test("past and future times read relative to now", () => {
  assert.equal(relativeTime("2026-12-01T11:59:40Z", NOW), "just now");
  assert.equal(relativeTime("2026-12-01T11:55:00Z", NOW), "5 min ago");
  assert.equal(relativeTime("2026-12-01T09:00:00Z", NOW), "3 h ago");
  assert.equal(relativeTime("2026-11-29T12:00:00Z", NOW), "2 days ago");
  assert.equal(relativeTime("2026-11-30T12:00:00Z", NOW), "1 day ago");
  assert.equal(relativeTime("2026-12-01T14:00:00Z", NOW), "in 2 h");
});

test("an unreadable time gives no text (the server's exact time stays)", () => {
  assert.equal(relativeTime("soon", NOW), "");
});
