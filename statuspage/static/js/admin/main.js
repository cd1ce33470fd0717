// Entry point of the console: Alpine (CSP build) + focus plugin, one file per page area.
import Alpine from "../../vendor/alpinejs-csp-3.17.4.esm.min.js";
import focus from "../../vendor/alpinejs-focus-3.17.4.esm.min.js";
import { registerTheme } from "../theme.js";
import { registerShell } from "./shell.js";
import { registerIncidents } from "./incidents.js";
import { registerIncident } from "./incident.js";
import { registerUsers } from "./users.js";
import { registerComponents } from "./components.js";
import { relativeTimes } from "../lib/relative.js";
import { useSentences } from "../lib/words.js";

// The console's words come from its own catalogue; they must be in place before anything renders.
const pageWords = document.getElementById("page-words");
if (pageWords) {
  const { sentences, locale } = JSON.parse(pageWords.textContent);
  useSentences(sentences, locale);
}

Alpine.plugin(focus);
registerTheme(Alpine);
registerShell(Alpine);
registerIncidents(Alpine);
registerIncident(Alpine);
registerUsers(Alpine);
registerComponents(Alpine);
relativeTimes();
setInterval(relativeTimes, 60_000);
window.Alpine = Alpine;
Alpine.start();
