// Relative times for the console ("5 min ago", "in 2 h"); pure, unit-tested.

const STEPS = [[60, 1, "s"], [3600, 60, "min"], [86400, 3600, "h"], [Infinity, 86400, "day"]];

/** ``iso`` relative to ``now`` (ms since the epoch), or "" for an unreadable time. */
export function relativeTime(iso, now = Date.now()) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "";
  const seconds = Math.round((now - at) / 1000);
  if (Math.abs(seconds) < 45) return "just now";
  const [, size, unit] = STEPS.find(([limit]) => Math.abs(seconds) < limit);
  const count = Math.round(Math.abs(seconds) / size);
  const words = `${count} ${unit}${unit === "day" && count !== 1 ? "s" : ""}`;
  return seconds > 0 ? `${words} ago` : `in ${words}`;
}

/** Show every ``time.rel`` relative; the exact time stays in ``data-exact`` (shown on hover and focus). */
export function relativeTimes(root = document, now = Date.now()) {
  for (const el of root.querySelectorAll("time.rel[datetime]")) {
    const text = relativeTime(el.getAttribute("datetime"), now);
    if (text) {
      el.textContent = text;
      el.setAttribute("aria-label", `${text}, ${el.dataset.exact}`);
    }
  }
}
