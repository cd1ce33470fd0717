// Relative times for the console ("5 min ago", "in 2 h"); pure, unit-tested.
import { say } from "./words.js";

// [below this many seconds, seconds per unit, the unit's sentence (and its plural's)]
const STEPS = [[60, 1, "seconds"], [3600, 60, "minutes"], [86400, 3600, "hours"],
  [Infinity, 86400, "day", "days"]];

/** ``iso`` relative to ``now`` (ms since the epoch), or "" for an unreadable time. */
export function relativeTime(iso, now = Date.now()) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "";
  const seconds = Math.round((now - at) / 1000);
  if (Math.abs(seconds) < 45) return say("justNow");
  const [, size, one, many = one] = STEPS.find(([limit]) => Math.abs(seconds) < limit);
  const count = Math.round(Math.abs(seconds) / size);
  const time = say(count === 1 ? one : many, { count });
  return say(seconds > 0 ? "ago" : "fromNow", { time });
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
