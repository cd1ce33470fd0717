// The words the page's scripts show: English unless the page ships its language's
// (a JSON block with id "page-words", written by the server in the reader's language;
// the console's pages ship theirs from the console's own catalogue).

export const WORDS = {
  locale: "en",
  one: "{names} is experiencing {what}",
  many: "{names} are experiencing {what}",
  looking: "We are looking into an issue",
  maintenance: "Maintenance in progress",
  toastIncident: "New incident update received",
  toastComponent: "Component status changed",
  toastMaintenance: "Maintenance update received",
  lightTheme: "Light theme",
  darkTheme: "Dark theme",
  switchLight: "Switch to light theme",
  switchDark: "Switch to dark theme",
  pageTime: "page time",
  dayUptime: "{day}: {percent} uptime, no incidents",
  dayNoData: "{day}: no data",
  // The console's.
  toastPostmortem: "A postmortem was published",
  copy: "Copy",
  copied: "Copied",
  preview: "Preview",
  hidePreview: "Hide preview",
  nothingToPreview: "Nothing to preview.",
  previewFailed: "The preview could not be loaded.",
  justNow: "just now",
  ago: "{time} ago",
  fromNow: "in {time}",
  seconds: "{count} s",
  minutes: "{count} min",
  hours: "{count} h",
  day: "{count} day",
  days: "{count} days",
};

/** Take the page's sentences (keys as in WORDS); unknown keys are ignored. */
export function useSentences(sentences, locale) {
  for (const [key, text] of Object.entries(sentences ?? {})) if (key in WORDS) WORDS[key] = text;
  if (locale) WORDS.locale = locale;
}

/** A sentence with its {placeholders} filled. */
export function say(key, params = {}) {
  return WORDS[key].replace(/\{(\w+)\}/g, (_, name) => params[name] ?? "");
}

/** Names joined as the language does ("A, B and C"; other languages by Intl). */
export function joinNames(names) {
  if (WORDS.locale === "en" || typeof Intl.ListFormat !== "function") {
    return names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  }
  return new Intl.ListFormat(WORDS.locale, { style: "long", type: "conjunction" }).format(names);
}
