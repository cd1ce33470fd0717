"""iCalendar (RFC 5545) for scheduled maintenance: escaping, folding, CRLF."""
from __future__ import annotations

from datetime import datetime, timezone


def _text(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n"))


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after one space."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts, chunk = [], b""
    for char in line:
        encoded = char.encode()
        if len(chunk) + len(encoded) > (75 if not parts else 74):
            parts.append(chunk.decode())
            chunk = b""
        chunk += encoded
    parts.append(chunk.decode())
    return "\r\n ".join(parts)


_STATUS = {"scheduled": "CONFIRMED", "in_progress": "CONFIRMED", "verifying": "CONFIRMED",
           "completed": "CONFIRMED"}


def calendar(name: str, host: str, base_url: str, windows: list[dict], now: datetime) -> str:
    """A VCALENDAR with one VEVENT per maintenance window."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//{_text(name)}//Status page//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{_text(name)} maintenance",
             "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"]
    for m in windows:
        affected = ", ".join(c["name"] for c in m["components"])
        description = m["description"] + (f"\n\nAffected: {affected}" if affected else "")
        lines += ["BEGIN:VEVENT", f"UID:maintenance-{m['id']}@{host}", f"DTSTAMP:{_stamp(now)}",
                  f"LAST-MODIFIED:{_stamp(m['updated_at'])}",
                  f"DTSTART:{_stamp(m['starts_at'])}", f"DTEND:{_stamp(m['ends_at'])}",
                  f"SUMMARY:{_text(m['title'])}", f"DESCRIPTION:{_text(description)}",
                  f"STATUS:{_STATUS[m['status']]}", f"URL:{base_url}/status#maintenance-{m['id']}",
                  "TRANSP:OPAQUE", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
