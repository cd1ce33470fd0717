// Runs before first paint (a tiny blocking script, allowed by script-src 'self'):
// apply the remembered theme so a dark reader never sees a light flash.
try {
  const theme = localStorage.getItem("theme");
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
} catch (e) { /* storage disabled: prefers-color-scheme still applies */ }
