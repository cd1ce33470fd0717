// The theme toggle: light / dark, remembered; without a choice the OS preference rules.

export function registerTheme(Alpine) {
  Alpine.data("themeToggle", () => ({
    theme: "light",
    init() {
      const chosen = document.documentElement.dataset.theme;
      const prefersDark = window.matchMedia?.("(prefers-color-scheme: dark)").matches;
      this.theme = chosen || (prefersDark ? "dark" : "light");
    },
    get isDark() { return this.theme === "dark"; },
    get label() { return this.isDark ? "Switch to light theme" : "Switch to dark theme"; },
    get text() { return this.isDark ? "Light theme" : "Dark theme"; },
    toggle() {
      this.theme = this.isDark ? "light" : "dark";
      document.documentElement.dataset.theme = this.theme;
      try { localStorage.setItem("theme", this.theme); } catch (e) { /* private mode */ }
    },
  }));
}
