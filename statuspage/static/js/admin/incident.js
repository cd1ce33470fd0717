// Incident detail: Markdown preview rendered by the server (the same sanitiser the public page uses).
import { postJson } from "../lib/csrf.js";
import { say } from "../lib/words.js";

export function registerIncident(Alpine) {
  Alpine.data("incidentPage", () => ({}));

  Alpine.data("markdownField", () => ({
    showing: false,
    loading: false,
    // "Preview all" (a form post) renders every preview on the server: show them.
    init() { this.showing = this.$refs.preview.hasAttribute("data-rendered"); },
    get buttonText() { return say(this.showing ? "hidePreview" : "preview"); },
    async toggle() {
      if (this.showing) { this.showing = false; return; }
      this.loading = true;
      try {
        const { html } = await postJson("/admin/preview", { text: this.$refs.source.value });
        // Sanitised by nh3 on the server; x-html is not available in the CSP build.
        if (html) this.$refs.preview.innerHTML = html;
        else this.$refs.preview.replaceChildren(emphasis(say("nothingToPreview")));
      } catch (e) {
        this.$refs.preview.textContent = say("previewFailed");
      } finally {
        this.loading = false;
        this.showing = true;
      }
    },
  }));
}

/** ``<p><em>text</em></p>``, built as nodes so a translated text is never parsed as HTML. */
function emphasis(text) {
  const paragraph = document.createElement("p");
  paragraph.appendChild(document.createElement("em")).textContent = text;
  return paragraph;
}
