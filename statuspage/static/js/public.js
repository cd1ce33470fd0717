// Entry point of the public pages: Alpine (CSP build) with the focus plugin.
import Alpine from "../vendor/alpinejs-csp-3.17.4.esm.min.js";
import focus from "../vendor/alpinejs-focus-3.17.4.esm.min.js";
import { labelUptimeDays, localiseTimes, registerStatusPage } from "./status-page.js";
import { registerTheme } from "./theme.js";

Alpine.plugin(focus);
registerTheme(Alpine);
registerStatusPage(Alpine);
Alpine.data("linksDialog", () => ({
  open: false,
  show() { this.open = true; },
  hide() { this.open = false; },
}));
localiseTimes();
labelUptimeDays();
window.Alpine = Alpine;
Alpine.start();
