// The theme toggle: light / dark, remembered; without a choice the OS preference rules.

import { say } from "./lib/words.js";

export function registerTheme(Alpine) {
  Alpine.data("themeToggle", () => ({
    theme: "light",
    init() {
      const chosen = document.documentElement.dataset.theme;
      const prefersDark = window.matchMedia?.("(prefers-color-scheme: dark)").matches;
      this.theme = chosen || (prefersDark ? "dark" : "light");
    },
    get isDark() { return this.theme === "dark"; },
    get label() { return say(this.isDark ? "switchLight" : "switchDark"); },
    get text() { return say(this.isDark ? "lightTheme" : "darkTheme"); },
    toggle() {
      this.theme = this.isDark ? "light" : "dark";
      document.documentElement.dataset.theme = this.theme;
      try { localStorage.setItem("theme", this.theme); } catch (e) { /* private mode */ }
    },
  }));
}
