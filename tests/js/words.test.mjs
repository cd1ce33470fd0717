// A localised page's words replace the English ones in every sentence the scripts build.
import { test } from "node:test";
import assert from "node:assert/strict";

import { announcement, bannerSentence, STATUS_LABEL, useWords } from "../../statuspage/static/js/lib/reducer.js";
import { joinNames, say, WORDS } from "../../statuspage/static/js/lib/words.js";

const state = (components, incidents = []) => ({ components, incidents, maintenance: [] });

test("English by default: the server's sentence, names joined with 'and'", () => {
  assert.equal(joinNames(["API", "Web", "DB"]), "API, Web and DB");
  const s = bannerSentence(state({ 1: { id: 1, name: "API", status: "major_outage", order: 0 } }));
  assert.equal(s.lead, "API is experiencing a major outage");
  assert.equal(say("dayNoData", { day: "1 Dec" }), "1 Dec: no data");
});

test("a German page's words: labels, phrases, sentences and list joining", () => {
  useWords({
    locale: "de",
    status_labels: { major_outage: "Schwerer Ausfall" },
    banner_phrases: { major_outage: "einen schweren Ausfall" },
    sentences: { one: "{names} hat {what}", many: "{names} haben {what}",
                 toastComponent: "Komponentenstatus geändert", unknownKey: "ignored" },
  });
  assert.equal(STATUS_LABEL.major_outage, "Schwerer Ausfall");
  const s = bannerSentence(state({
    1: { id: 1, name: "API", status: "major_outage", order: 0 },
    2: { id: 2, name: "Web", status: "major_outage", order: 1 },
  }));
  assert.equal(s.lead, "API und Web haben einen schweren Ausfall");
  assert.equal(announcement("COMPONENT_STATUS_CHANGED"), "Komponentenstatus geändert");
  assert.equal(WORDS.unknownKey, undefined);
});
