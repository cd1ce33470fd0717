// What the console does with an admin-stream event: the toast to announce
// and whether the page's live regions need refreshing.
import { EVENT_TYPES } from "./stream.js";
import { say } from "./words.js";

const EXTRA_TYPES = [
  "POSTMORTEM_UPDATED", "ACTION_ITEM_CHANGED", "COMPONENT_UPDATED", "COMPONENT_GROUP_UPDATED",
  "DELIVERY_RETRIED", "MAIL_TEST_QUEUED", "SUBSCRIBER_CREATED", "SUBSCRIBER_CONFIRMED",
  "SUBSCRIBER_UNSUBSCRIBED", "SUBSCRIBER_DELETED", "SUBSCRIBER_UPDATED",
];
export const ADMIN_EVENT_TYPES = [...EVENT_TYPES, ...EXTRA_TYPES];

const INCIDENT_TYPES = new Set([
  "INCIDENT_CREATED", "INCIDENT_UPDATED", "INCIDENT_STATUS_CHANGED", "INCIDENT_UPDATE_POSTED",
]);

/** The announcement for an event type (in the page's words), or "" for none. */
export function toastFor(type) {
  if (INCIDENT_TYPES.has(type)) return say("toastIncident");
  if (type === "POSTMORTEM_PUBLISHED") return say("toastPostmortem");
  return "";
}

/** Every event may change what a console page shows, except our own RESYNC bookkeeping is a refresh too. */
export function needsRefresh(type) {
  return ADMIN_EVENT_TYPES.includes(type);
}

/** Ids of the live regions present in both documents (``[data-live][id]``). */
export function regionIds(currentIds, incomingIds) {
  const incoming = new Set(incomingIds);
  return currentIds.filter((id) => incoming.has(id));
}

/** Calls ``fn`` once, ``wait`` ms after the last of a burst of calls. */
export function debounce(fn, wait, schedule = setTimeout, cancel = clearTimeout) {
  let timer = null;
  return (...args) => {
    if (timer !== null) cancel(timer);
    timer = schedule(() => { timer = null; fn(...args); }, wait);
  };
}
