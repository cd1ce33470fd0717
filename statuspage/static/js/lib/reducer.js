// Live state of the public page and how each stream event changes it.
// Pure functions only (no DOM, no Alpine) so they are unit-tested with node --test.
// The status vocabulary is generated from the server's (statuspage/domain/statuses.py).
import VOCABULARY from "./vocabulary.json" with { type: "json" };
import { joinNames, say, useSentences } from "./words.js";

const RANK = VOCABULARY.component_rank;
const INDICATOR = VOCABULARY.indicators;
export const STATUS_LABEL = VOCABULARY.status_labels;
const BANNER_PHRASE = VOCABULARY.banner_phrases;

/** Customer-facing words for an incident's severity ("Critical impact", never "SEV1"). */
export function impactLabel(incident) {
  const impact = incident.impact ?? VOCABULARY.severity_impact[incident.severity];
  return VOCABULARY.impact_labels[impact] ?? "";
}

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
  (doc.components ?? []).forEach((c, order) => {
    components[c.id] = { id: c.id, name: c.name, status: c.status, group_id: c.group_id ?? null, order };
  });
  const incidents = (doc.incidents ?? []).map((i) => slimIncident(i));
  const maintenance = (doc.maintenances?.active ?? []).map((m) => m.title);
  return { ...pageStatus(components), components, incidents, maintenance };
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
    const { status, body, body_html, created_at } = data.update;
    incoming.latest_update = { status, body, body_html, created_at };
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

/**
 * A localised page's words (see words.js): status labels, impact labels, banner
 * phrases, page descriptions and sentences replace the English ones.
 */
export function useWords(words) {
  Object.assign(STATUS_LABEL, words.status_labels ?? {});
  Object.assign(VOCABULARY.impact_labels, words.impact_labels ?? {});
  Object.assign(BANNER_PHRASE, words.banner_phrases ?? {});
  for (const [status, description] of Object.entries(words.descriptions ?? {})) {
    if (INDICATOR[status]) INDICATOR[status] = [INDICATOR[status][0], description];
  }
  useSentences(words.sentences, words.locale);
}

/**
 * The banner's one sentence in parts, as the server builds it: the worst-hit
 * components, the incident to read about them, and maintenance in progress.
 */
export function bannerSentence(state) {
  const list = Object.values(state.components).sort((a, b) => (a.order ?? Infinity) - (b.order ?? Infinity));
  const worst = worstStatus(list.map((c) => c.status));
  const hit = worst === "operational" ? [] : list.filter((c) => c.status === worst);
  let lead = "";
  if (hit.length) lead = say(hit.length === 1 ? "one" : "many", { names: joinNames(hit.map((c) => c.name)), what: BANNER_PHRASE[worst] });
  else if (state.incidents.length) lead = say("looking");
  const hitIds = new Set(hit.map((c) => c.id));
  const incident = state.incidents.find((i) => i.components.some((c) => hitIds.has(c.id))) ?? state.incidents[0] ?? null;
  return { lead, incident: incident && { id: incident.id, title: incident.title }, maintenance: state.maintenance ?? [] };
}

/** What the aria-live toast says for an event, or null for none. */
export function announcement(type) {
  if (type.startsWith("INCIDENT_") || type === "POSTMORTEM_PUBLISHED") return say("toastIncident");
  if (type === "COMPONENT_STATUS_CHANGED") return say("toastComponent");
  if (type.startsWith("MAINTENANCE_")) return say("toastMaintenance");
  return null;
}
