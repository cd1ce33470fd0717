// Alpine components of the public pages: live banner, components, incidents, toast.
import { announcement, bannerSentence, fromSnapshot, impactLabel, reduce, STATUS_LABEL, worstStatus } from "./lib/reducer.js";
import { startPolling } from "./lib/poller.js";
import { cappedBackoff, openStream } from "./lib/stream.js";
import { say } from "./lib/words.js";
import { addDays, dayTitle, formatLocal } from "./lib/timefmt.js";

const STREAM_URL = "/api/stream/public";
const STATUS_URL = "/api/public/status";

function readJson(id) {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : null;
}

/** Show every <time data-local> in the reader's zone; the page zone stays in the tooltip. */
export function localiseTimes(root = document) {
  for (const el of root.querySelectorAll("time[data-local]")) {
    const text = formatLocal(el.getAttribute("datetime"));
    if (text) {
      el.title = `${el.textContent.trim()} (${say("pageTime")})`;
      el.textContent = text;
    }
  }
}

/** Plain uptime-bar days get a date tooltip (the server sends only the marked days). */
export function labelUptimeDays(root = document) {
  for (const bar of root.querySelectorAll("ol.bar[data-start]")) {
    bar.querySelectorAll("li").forEach((li, index) => {
      if (!li.title && !li.querySelector(".tip")) {
        li.title = dayTitle(addDays(bar.dataset.start, index), li.classList.contains("l-nodata") ? null : 100);
      }
    });
  }
}

/** A tap or click on an uptime day shows its details under the bar (tooltips need a mouse). */
export function tapUptimeDays(root = document) {
  for (const bar of root.querySelectorAll("ol.bar")) {
    bar.addEventListener("click", (event) => {
      const day = event.target.closest("li");
      const detail = bar.parentElement.querySelector(".day-detail");
      if (day && detail) detail.textContent = day.querySelector(".tip")?.textContent ?? day.title;
    });
  }
}

export function registerStatusPage(Alpine) {
  Alpine.store("live", { state: null, toast: "", connection: "idle" });
  const store = () => Alpine.store("live");

  Alpine.data("livePage", () => ({
    stream: null,
    poller: null,
    toastTimer: null,
    init() {
      const snapshot = readJson("live-snapshot");
      if (!snapshot) return;
      store().state = fromSnapshot(snapshot);
      // Both advertised by the server on the page; the defaults match its own.
      const pollSeconds = Number(this.$el.dataset.pollSeconds) || 10;
      const retrySeconds = Number(this.$el.dataset.streamRetrySeconds) || 30;
      this.stream = openStream(STREAM_URL, {
        lastEventId: snapshot.last_event_id,
        onEvent: (type, data) => this.handle(type, data),
        onState: (state) => this.connectionChanged(state, pollSeconds),
        retryDelay: (attempt) => cappedBackoff(attempt, retrySeconds),
      });
    },
    destroy() { this.stream?.close(); this.poller?.stop(); },
    connectionChanged(state, pollSeconds) {
      if (state === "open") {
        this.poller?.stop();
        this.poller = null;
      } else if (state === "closed" && !this.poller) {
        // Refused (the server's stream cap) or cut off: poll the cached document until
        // a stream opens again; each snapshot moves the stream's resume point with it.
        this.poller = startPolling(STATUS_URL, {
          intervalSeconds: pollSeconds,
          onSnapshot: (document) => {
            store().state = fromSnapshot(document);
            this.stream?.setLastEventId(document.last_event_id);
          },
        });
      }
      store().connection = state === "closed" ? "polling" : state;
    },
    async refetch() {
      try {
        // "no-cache": revalidate (ETag) instead of reusing the copy max-age allows.
        const response = await fetch(STATUS_URL, { cache: "no-cache", headers: { Accept: "application/json" } });
        if (response.ok) store().state = fromSnapshot(await response.json());
      } catch (e) { /* offline: the next event or reconnect tries again */ }
    },
    handle(type, data) {
      if (type === "RESYNC" || type.startsWith("MAINTENANCE_")) this.refetch();
      else store().state = reduce(store().state, type, data);
      const message = announcement(type);
      if (message) this.announce(message);
    },
    announce(message) {
      store().toast = message;
      clearTimeout(this.toastTimer);
      this.toastTimer = setTimeout(() => { store().toast = ""; }, 8000);
    },
  }));

  Alpine.data("toast", () => ({
    get message() { return store().toast; },
    get visible() { return store().toast !== ""; },
  }));

  Alpine.data("banner", () => ({
    // Without live state (a static copy) the server's rendering stays.
    init() { if (store().state) this.$refs.server?.remove(); },
    get state() { return store().state; },
    get indicator() { return this.state?.indicator ?? this.$el.dataset.indicator; },
    get description() { return this.state?.description ?? ""; },
    get sentence() { return this.state ? bannerSentence(this.state) : { lead: "", incident: null, maintenance: [] }; },
    get hasSentence() { return this.sentence.lead !== "" || this.sentence.maintenance.length > 0; },
    get lead() { return this.sentence.lead; },
    get incident() { return this.sentence.lead !== "" && this.sentence.incident; },
    get incidentHref() { return `/status/incidents/${this.sentence.incident?.id}`; },
    get incidentTitle() { return this.sentence.incident?.title ?? ""; },
    get leadEnd() { return this.sentence.lead ? "." : ""; },
    get maintenanceText() {
      const titles = this.sentence.maintenance;
      return titles.length ? `${this.sentence.lead ? " " : ""}${say("maintenance")}: ${titles.join(", ")}.` : "";
    },
  }));

  Alpine.data("componentRow", () => ({
    id: 0,
    init() { this.id = Number(this.$el.dataset.id); },
    get status() { return store().state?.components[this.id]?.status ?? this.$el.dataset.status; },
    get label() { return STATUS_LABEL[this.status] ?? this.status; },
  }));

  Alpine.data("componentGroup", () => ({
    ids: [],
    init() { this.ids = JSON.parse(this.$el.dataset.ids || "[]"); },
    get status() {
      const components = store().state?.components ?? {};
      return worstStatus(this.ids.map((id) => components[id]?.status ?? "operational"));
    },
    get label() { return STATUS_LABEL[this.status]; },
    get degraded() { return this.status !== "operational"; },
  }));

  Alpine.data("incidentList", () => ({
    // Without live state (a static copy) the server's rendering stays.
    init() { if (store().state) this.$refs.server?.remove(); },
    get incidents() { return store().state?.incidents ?? []; },
    get empty() { return this.incidents.length === 0; },
    href(incident) { return `/status/incidents/${incident.id}`; },
    statusLabel(status) { return STATUS_LABEL[status] ?? status; },
    impactLabel(incident) { return impactLabel(incident); },
    when(iso) { return formatLocal(iso); },
    // Sanitised by the server (the same Markdown renderer as the page); the
    // CSP build has no x-html, so the element is filled here.
    fillBody(el, incident) {
      const update = incident.latest_update;
      if (!update) return;
      if (update.body_html !== undefined) el.innerHTML = update.body_html;
      else el.textContent = update.body;
    },
  }));

  // Incident and postmortem pages: any event about this incident swaps in the
  // server's fresh rendering of the page's live region (the cache is dropped
  // before events are published, so the refetch never sees the old page).
  Alpine.data("liveDocument", () => ({
    stream: null,
    connection: "idle",
    init() {
      const incidentId = Number(this.$el.dataset.incident);
      this.stream = openStream(STREAM_URL, {
        lastEventId: this.$el.dataset.lastEventId || null,
        onEvent: (type, data) => {
          if (type === "RESYNC" || data?.incident?.id === incidentId || data?.incident_id === incidentId) this.refresh();
        },
        onState: (state) => { this.connection = state; },
      });
    },
    destroy() { this.stream?.close(); },
    async refresh() {
      try {
        const response = await fetch(window.location.href, { cache: "no-cache", headers: { Accept: "text/html" } });
        if (!response.ok) return;
        const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
        const next = fresh.querySelector("[data-live-region]");
        const current = this.$el.querySelector("[data-live-region]");
        if (next && current) {
          current.replaceWith(next);
          localiseTimes(next);
        }
      } catch (e) { /* offline: the next event or reconnect tries again */ }
    },
  }));
}
