// Times in the reader's own zone and locale (the server renders the page zone).
import { say } from "./words.js";

/** "27 Nov 2026, 15:05 CET" for an ISO timestamp, in ``timeZone`` (default: the reader's). */
export function formatLocal(iso, { locale = undefined, timeZone = undefined } = {}) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const parts = new Intl.DateTimeFormat(locale ?? "en-GB", {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
    hourCycle: "h23", timeZone, timeZoneName: "short",
  }).formatToParts(date);
  const get = (type) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("day")} ${get("month")} ${get("year")}, ${get("hour")}:${get("minute")} ${get("timeZoneName")}`;
}

/** "27 Nov 2026" for a YYYY-MM-DD calendar day (no zone shift: days are page days). */
export function formatDay(isoDay, locale = "en-GB") {
  const [y, m, d] = isoDay.split("-").map(Number);
  return new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

/** The day's tooltip for an uptime bar segment that the server left plain. */
export function dayTitle(isoDay, uptime) {
  const label = formatDay(isoDay);
  return uptime == null ? say("dayNoData", { day: label }) : say("dayUptime", { day: label, percent: `${uptime}%` });
}

/** ISO day string ``offset`` days after ``isoDay``. */
export function addDays(isoDay, offset) {
  const [y, m, d] = isoDay.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + offset)).toISOString().slice(0, 10);
}
