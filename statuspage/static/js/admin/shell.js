// The app shell: shortcuts, the live stream (regions refreshed in place) and the toast.
import { ADMIN_EVENT_TYPES, debounce, needsRefresh, regionIds, toastFor } from "../lib/admin-events.js";
import { shortcutFor } from "../lib/shortcuts.js";
import { openStream } from "../lib/stream.js";
import { dialog } from "./dialog.js";
import { relativeTimes } from "../lib/relative.js";

const STREAM_URL = "/api/stream/admin";
const TOAST_MS = 8000;

/** Replace each live region's content with the fresh copy, keeping focus where it was. */
export function swapRegions(doc, fresh) {
  const current = [...doc.querySelectorAll("[data-live][id]")].map((el) => el.id);
  const incoming = [...fresh.querySelectorAll("[data-live][id]")].map((el) => el.id);
  const focusedId = doc.activeElement?.id;
  for (const id of regionIds(current, incoming)) {
    const target = doc.getElementById(id);
    const source = fresh.getElementById(id);
    // A region in use (a drag under way) is left alone; the change it makes brings the next refresh.
    if (target.hasAttribute("data-busy")) continue;
    if (target.innerHTML !== source.innerHTML) target.innerHTML = source.innerHTML;
  }
  if (focusedId && doc.activeElement === doc.body) doc.getElementById(focusedId)?.focus();
}

export function registerShell(Alpine) {
  Alpine.store("console", { toast: "", dialog: false });
  const store = () => Alpine.store("console");

  Alpine.data("shell", () => ({
    stream: null,
    toastTimer: null,
    init() {
      const main = document.getElementById("main");
      this.refresh = debounce(() => this.reload(), 150);
      this.stream = openStream(STREAM_URL, {
        types: ADMIN_EVENT_TYPES,
        lastEventId: document.body.dataset.streamTip || null,
        onEvent: (type) => this.handle(type),
        onState: (state) => { if (main) main.dataset.stream = state; },
      });
    },
    destroy() { this.stream?.close(); },
    handle(type) {
      if (needsRefresh(type)) this.refresh();
      const message = toastFor(type);
      if (message) this.announce(message);
    },
    async reload() {
      try {
        const response = await fetch(window.location.href, {
          credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } });
        if (!response.ok || response.redirected) return;
        const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
        swapRegions(document, fresh);
        relativeTimes();
      } catch (e) { /* offline: the next event tries again */ }
    },
    announce(message) {
      store().toast = "";
      // Re-set on the next frame so the same message is announced again.
      requestAnimationFrame(() => { store().toast = message; });
      clearTimeout(this.toastTimer);
      this.toastTimer = setTimeout(() => { store().toast = ""; }, TOAST_MS);
    },
    onKey(event) {
      const action = shortcutFor(event, { dialogOpen: store().dialog });
      if (!action) return;
      event.preventDefault();
      if (action === "create") this.openCreate();
      else if (action === "search") document.getElementById("top-search")?.focus();
      else this.openHelp();
    },
    openCreate() {
      if (document.getElementById("create-title")) window.dispatchEvent(new CustomEvent("open-create"));
      else if (document.getElementById("create-incident-button")) window.location.assign("/admin/incidents/new");
    },
    openHelp() { window.dispatchEvent(new CustomEvent("open-help")); },
  }));

  Alpine.data("toast", () => ({
    get message() { return store().toast; },
    get visible() { return store().toast !== ""; },
  }));

  Alpine.data("helpDialog", dialog(store));
}
