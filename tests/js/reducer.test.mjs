import assert from "node:assert/strict";
import { test } from "node:test";

import { announcement, bannerSentence, fromSnapshot, impactLabel, pageStatus, reduce, worstStatus } from "../../statuspage/static/js/lib/reducer.js";

const snapshot = {
  status: { indicator: "none", description: "All Systems Operational" },
  components: [
    { id: 1, name: "API", status: "operational", group_id: null },
    { id: 2, name: "Web", status: "operational", group_id: 5 },
  ],
  incidents: [],
};

const created = {
  incident: {
    id: 7, title: "API errors", status: "investigating", severity: "SEV2", impact: "major",
    components: [{ id: 1, name: "API", status: "partial_outage" }],
    created_at: "2026-03-01T10:00:00+00:00", next_update_at: null,
  },
  page: { indicator: "major", description: "Partial System Outage" },
  update: { id: 70, status: "investigating", body: "Looking.", created_at: "2026-03-01T10:00:00+00:00", components: [] },
};

test("snapshot becomes state with a derived banner", () => {
  const state = fromSnapshot(snapshot);
  assert.equal(state.indicator, "none");
  assert.deepEqual(Object.keys(state.components), ["1", "2"]);
  assert.deepEqual(state.incidents, []);
});

test("worst status and page status follow Statuspage's rollup", () => {
  assert.equal(worstStatus([]), "operational");
  assert.equal(worstStatus(["under_maintenance", "degraded_performance"]), "degraded_performance");
  assert.deepEqual(pageStatus({ 1: { status: "major_outage" } }), { indicator: "critical", description: "Major System Outage" });
});

test("INCIDENT_CREATED adds the incident and moves its components", () => {
  const state = reduce(fromSnapshot(snapshot), "INCIDENT_CREATED", created);
  assert.equal(state.incidents.length, 1);
  assert.equal(state.incidents[0].latest_update.body, "Looking.");
  assert.equal(state.components[1].status, "partial_outage");
  assert.equal(state.description, "Partial System Outage");
  assert.deepEqual(bannerSentence(state), { lead: "API is experiencing a partial outage",
                                            incident: { id: 7, title: "API errors" }, maintenance: [] });
});

test("updates replace the latest update; resolving removes the incident", () => {
  let state = reduce(fromSnapshot(snapshot), "INCIDENT_CREATED", created);
  state = reduce(state, "INCIDENT_UPDATE_POSTED", {
    incident: { ...created.incident, next_update_at: "2026-03-01T11:00:00+00:00" },
    update: { status: "investigating", body: "Found it.", created_at: "2026-03-01T10:30:00+00:00" },
  });
  assert.equal(state.incidents[0].latest_update.body, "Found it.");
  assert.equal(state.incidents[0].next_update_at, "2026-03-01T11:00:00+00:00");
  state = reduce(state, "INCIDENT_STATUS_CHANGED", {
    incident: { ...created.incident, status: "resolved", components: [{ id: 1, name: "API", status: "operational" }] },
    update: { status: "resolved", body: "Fixed.", created_at: "2026-03-01T11:00:00+00:00" },
  });
  assert.deepEqual(state.incidents, []);
  assert.equal(state.indicator, "none");
});

test("INCIDENT_UPDATED keeps fields the event does not carry", () => {
  let state = reduce(fromSnapshot(snapshot), "INCIDENT_CREATED", created);
  state = reduce(state, "INCIDENT_UPDATED", { incident: { id: 7, title: "API errors (EU)" } });
  assert.equal(state.incidents[0].title, "API errors (EU)");
  assert.equal(state.incidents[0].severity, "SEV2");
  assert.equal(state.incidents[0].latest_update.body, "Looking.");
});

test("incidents are ordered newest first", () => {
  let state = reduce(fromSnapshot(snapshot), "INCIDENT_CREATED", created);
  state = reduce(state, "INCIDENT_CREATED", { incident: { ...created.incident, id: 8, title: "Newer", created_at: "2026-03-02T00:00:00+00:00" } });
  assert.deepEqual(state.incidents.map((i) => i.id), [8, 7]);
});

test("COMPONENT_STATUS_CHANGED updates one component and the banner", () => {
  const state = reduce(fromSnapshot(snapshot), "COMPONENT_STATUS_CHANGED", {
    component: { id: 2, name: "Web", status: "major_outage", group_id: 5 }, from: "operational", to: "major_outage",
  });
  assert.equal(state.components[2].status, "major_outage");
  assert.equal(state.indicator, "critical");
});

test("unknown or empty events leave the state alone", () => {
  const state = fromSnapshot(snapshot);
  assert.equal(reduce(state, "SOMETHING_ELSE", {}), state);
  assert.equal(reduce(state, "INCIDENT_CREATED", null), state);
  assert.equal(reduce(state, "COMPONENT_STATUS_CHANGED", {}), state);
});

test("announcements", () => {
  assert.equal(announcement("INCIDENT_UPDATE_POSTED"), "New incident update received");
  assert.equal(announcement("POSTMORTEM_PUBLISHED"), "New incident update received");
  assert.equal(announcement("MAINTENANCE_STARTED"), "Maintenance update received");
  assert.equal(announcement("COMPONENT_STATUS_CHANGED"), "Component status changed");
  assert.equal(announcement("RESYNC"), null);
});

test("the banner names every worst-hit component in page order and keeps maintenance in progress", () => {
  const state = fromSnapshot({
    components: [{ id: 9, name: "Web", status: "major_outage" }, { id: 2, name: "API", status: "major_outage" },
                 { id: 3, name: "CDN", status: "degraded_performance" }],
    incidents: [{ id: 4, title: "Other", components: [] }, { id: 5, title: "Outage", components: [{ id: 2, name: "API" }] }],
    maintenances: { active: [{ id: 1, title: "Storage migration" }] },
  });
  assert.deepEqual(bannerSentence(state), { lead: "Web and API are experiencing a major outage",
                                            incident: { id: 5, title: "Outage" }, maintenance: ["Storage migration"] });
});

test("an incident without affected components still leads the banner; green pages have no sentence", () => {
  const quiet = fromSnapshot({ components: [{ id: 1, name: "API", status: "operational" }], incidents: [] });
  assert.deepEqual(bannerSentence(quiet), { lead: "", incident: null, maintenance: [] });
  const open = fromSnapshot({ components: [], incidents: [{ id: 3, title: "Slow logins", components: [] }] });
  assert.equal(bannerSentence(open).lead, "We are looking into an issue");
});

test("customers read impact words, never severity labels", () => {
  assert.equal(impactLabel({ severity: "SEV1" }), "Critical impact");
  assert.equal(impactLabel({ impact: "none", severity: "SEV4" }), "Low impact");
});

test("a posted update keeps its server-rendered HTML for the card", () => {
  const state = reduce(fromSnapshot(snapshot), "INCIDENT_UPDATE_POSTED", {
    ...created, update: { status: "investigating", body: "**x**", body_html: "<p><strong>x</strong></p>", created_at: "t" } });
  assert.equal(state.incidents[0].latest_update.body_html, "<p><strong>x</strong></p>");
});
