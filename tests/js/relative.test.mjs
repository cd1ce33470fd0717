import assert from "node:assert/strict";
import { test } from "node:test";

import { relativeTime } from "../../statuspage/static/js/lib/relative.js";
import { useSentences } from "../../statuspage/static/js/lib/words.js";

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

test("the words come from the page: a translated console reads its own units and order", () => {
  useSentences({ justNow: "gerade eben", ago: "vor {time}", fromNow: "in {time}",
                 minutes: "{count} Min.", day: "{count} Tag", days: "{count} Tagen" });
  assert.equal(relativeTime("2026-12-01T11:59:40Z", NOW), "gerade eben");
  assert.equal(relativeTime("2026-12-01T11:55:00Z", NOW), "vor 5 Min.");
  assert.equal(relativeTime("2026-11-30T12:00:00Z", NOW), "vor 1 Tag");
  assert.equal(relativeTime("2026-11-29T12:00:00Z", NOW), "vor 2 Tagen");
  assert.equal(relativeTime("2026-12-01T14:00:00Z", NOW), "in 2 h");
});
