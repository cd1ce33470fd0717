// Incident detail: Markdown preview rendered by the server (the same sanitiser the public page uses).
import { postJson } from "../lib/csrf.js";

export function registerIncident(Alpine) {
  Alpine.data("incidentPage", () => ({}));

  Alpine.data("markdownField", () => ({
    showing: false,
    loading: false,
    // "Preview all" (a form post) renders every preview on the server: show them.
    init() { this.showing = this.$refs.preview.hasAttribute("data-rendered"); },
    get buttonText() { return this.showing ? "Hide preview" : "Preview"; },
    async toggle() {
      if (this.showing) { this.showing = false; return; }
      this.loading = true;
      try {
        const { html } = await postJson("/admin/preview", { text: this.$refs.source.value });
        // Sanitised by nh3 on the server; x-html is not available in the CSP build.
        this.$refs.preview.innerHTML = html || "<p><em>Nothing to preview.</em></p>";
      } catch (e) {
        this.$refs.preview.textContent = "The preview could not be loaded.";
      } finally {
        this.loading = false;
        this.showing = true;
      }
    },
  }));
}
