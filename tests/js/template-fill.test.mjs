import assert from "node:assert/strict";
import { test } from "node:test";
import { fillFromTemplate, findTemplate } from "../../statuspage/static/js/lib/template-fill.js";

const template = { id: 3, title: "Database slow", body: "Queries are slow.", severity: "SEV2", tags: ["db", "latency"],
  components: [{ id: 1, status: "degraded_performance" }, { id: 2, status: "partial_outage" }] };
const empty = { title: "", summary: "", severity: "", tags: "", impacts: {} };

test("a template fills an empty form", () => {
  assert.deepEqual(fillFromTemplate(template, empty), {
    title: "Database slow", summary: "Queries are slow.", severity: "SEV2", tags: "db, latency",
    impacts: { 1: "degraded_performance", 2: "partial_outage" } });
});

test("what the operator typed stays", () => {
  const typed = { title: "My title", summary: "Mine", severity: "SEV1", tags: "x", impacts: { 1: "major_outage" } };
  assert.deepEqual(fillFromTemplate(template, typed), { ...typed, impacts: { 1: "major_outage", 2: "partial_outage" } });
});

test("no template changes nothing; sparse templates leave blanks", () => {
  assert.deepEqual(fillFromTemplate(null, empty), empty);
  assert.deepEqual(fillFromTemplate({ id: 1 }, empty), { ...empty, impacts: {} });
});

test("findTemplate matches ids given as strings", () => {
  assert.equal(findTemplate([template], "3"), template);
  assert.equal(findTemplate([template], "4"), null);
});
