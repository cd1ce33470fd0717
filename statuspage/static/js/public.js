// Entry point of the public pages: Alpine (CSP build) with the focus plugin.
import Alpine from "../vendor/alpinejs-csp-3.17.4.esm.min.js";
import focus from "../vendor/alpinejs-focus-3.17.4.esm.min.js";
import { labelUptimeDays, localiseTimes, registerStatusPage, tapUptimeDays } from "./status-page.js";
import { registerTheme } from "./theme.js";
import { useWords } from "./lib/reducer.js";

// A localised page ships its words; they must be in place before anything renders.
const pageWords = document.getElementById("page-words");
if (pageWords) useWords(JSON.parse(pageWords.textContent));

Alpine.plugin(focus);
registerTheme(Alpine);
registerStatusPage(Alpine);
Alpine.data("linksDialog", () => ({
  open: false,
  show() { this.open = true; },
  hide() {
    if (!this.open) return;
    this.open = false;
    // Focus goes back to the opener explicitly: the trap's own return is racy
    // when the dialog closes while it is still activating.
    this.$nextTick(() => this.$refs.opener.focus());
  },
}));
localiseTimes();
labelUptimeDays();
tapUptimeDays();
window.Alpine = Alpine;
Alpine.start();
