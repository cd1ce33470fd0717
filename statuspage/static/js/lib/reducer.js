// Live state of the public page and how each stream event changes it.
// Pure functions only (no DOM, no Alpine) so they are unit-tested with node --test.
// The status vocabulary is generated from the server's (statuspage/domain/statuses.py).
import VOCABULARY from "./vocabulary.json" with { type: "json" };

const RANK = VOCABULARY.component_rank;
const INDICATOR = VOCABULARY.indicators;
export const STATUS_LABEL = VOCABULARY.status_labels;

export function worstStatus(statuses) {
  let worst = "operational";
  for (const status of statuses) if ((RANK[status] ?? 0) > RANK[worst]) worst = status;
  return worst;
}

export function pageStatus(components) {
  const [indicator, description] = INDICATOR[worstStatus(Object.values(components).map((c) => c.status))];
  return { indicator, description };
}

function slimIncident(incident, previous = {}) {
  return {
    id: incident.id,
    title: incident.title ?? previous.title,
    status: incident.status ?? previous.status,
    severity: incident.severity ?? previous.severity,
    impact: incident.impact ?? previous.impact,
    created_at: incident.created_at ?? previous.created_at,
    next_update_at: incident.next_update_at === undefined ? previous.next_update_at ?? null : incident.next_update_at,
    components: (incident.components ?? previous.components ?? []).map((c) => ({ id: c.id, name: c.name })),
    latest_update: incident.latest_update ?? previous.latest_update ?? null,
  };
}

/** State from a /api/public/status document (or the slim copy embedded in the page). */
export function fromSnapshot(doc) {
  const components = {};
  for (const c of doc.components ?? []) {
    components[c.id] = { id: c.id, name: c.name, status: c.status, group_id: c.group_id ?? null };
  }
  const incidents = (doc.incidents ?? []).map((i) => slimIncident(i));
  return { ...pageStatus(components), components, incidents };
}

function sortIncidents(list) {
  return [...list].sort((a, b) => (b.created_at ?? "").localeCompare(a.created_at ?? "") || b.id - a.id);
}

function withComponentStatuses(components, changes) {
  const next = { ...components };
  for (const change of changes) {
    if (next[change.id] && change.status) next[change.id] = { ...next[change.id], status: change.status };
  }
  return next;
}

function applyIncident(state, data) {
  const incoming = { ...data.incident };
  if (data.update) {
    incoming.latest_update = { status: data.update.status, body: data.update.body, created_at: data.update.created_at };
  }
  const existing = state.incidents.find((i) => i.id === incoming.id);
  let incidents = state.incidents.filter((i) => i.id !== incoming.id);
  const merged = slimIncident(incoming, existing);
  if (merged.status !== "resolved") incidents = sortIncidents([...incidents, merged]);
  const components = withComponentStatuses(state.components, data.incident.components ?? []);
  return { ...state, components, ...pageStatus(components), incidents };
}

/**
 * The next state after one stream event. ``type`` is the SSE event name and
 * ``data`` its parsed JSON (the outbox public payload). Unknown events leave
 * the state as it is; the caller refetches on RESYNC.
 */
export function reduce(state, type, data) {
  switch (type) {
    case "INCIDENT_CREATED":
    case "INCIDENT_UPDATED":
    case "INCIDENT_STATUS_CHANGED":
    case "INCIDENT_UPDATE_POSTED":
      return data?.incident ? applyIncident(state, data) : state;
    case "COMPONENT_STATUS_CHANGED": {
      const c = data?.component;
      if (!c) return state;
      const components = { ...state.components, [c.id]: { ...(state.components[c.id] ?? {}), ...c, status: data.to ?? c.status } };
      return { ...state, components, ...pageStatus(components) };
    }
    default:
      return state;
  }
}

/** Why the banner is not green, in words (the same sentences the server writes). */
export function reasons(state) {
  const out = [];
  for (const c of Object.values(state.components)) {
    if (c.status !== "operational") out.push(`${c.name}: ${STATUS_LABEL[c.status].toLowerCase()}`);
  }
  for (const i of state.incidents) out.push(`Incident: ${i.title} (${i.status})`);
  return out;
}

/** What the aria-live toast says for an event, or null for none. */
export function announcement(type) {
  if (type.startsWith("INCIDENT_") || type === "POSTMORTEM_PUBLISHED") return "New incident update received";
  if (type === "COMPONENT_STATUS_CHANGED") return "Component status changed";
  if (type.startsWith("MAINTENANCE_")) return "Maintenance update received";
  return null;
}
