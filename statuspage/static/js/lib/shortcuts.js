// Console keyboard shortcuts: which action a keydown asks for, if any.
// Pure: the caller decides what "create", "search" and "help" do.

const TYPING_TAGS = new Set(["INPUT", "TEXTAREA", "SELECT"]);

export const SHORTCUTS = { c: "create", "/": "search", "?": "help" };

/** True while the user types somewhere: shortcuts must not steal letters then. */
export function isTyping(target) {
  if (!target) return false;
  return TYPING_TAGS.has(target.tagName) || target.isContentEditable === true;
}

/** The action for a keydown event, or null (modifiers, typing, a dialog open, other keys). */
export function shortcutFor(event, { dialogOpen = false } = {}) {
  if (dialogOpen || event.defaultPrevented || event.repeat) return null;
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  if (isTyping(event.target)) return null;
  return SHORTCUTS[event.key] ?? null;
}
