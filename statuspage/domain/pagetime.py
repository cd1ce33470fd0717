"""The page's calendar: local days and months in its IANA time zone (pure, no Flask).

Times are stored in UTC; the page groups and labels them in one configured zone.
Day boundaries are computed from local midnights, so a day across a DST change
is 23 or 25 hours long and an incident spanning midnight belongs to both days.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str) -> ZoneInfo:
    """The page zone; an unknown name falls back to UTC rather than breaking the page."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The page-zone calendar day of a moment."""
    return moment.astimezone(tz).date()


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC [start, end) of a local calendar day."""
    start = datetime.combine(day, time(), tzinfo=tz).astimezone(timezone.utc)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz).astimezone(timezone.utc)
    return start, end


def month_bounds(year: int, month: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC [start, end) of a local calendar month."""
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return day_bounds(first, tz)[0], day_bounds(following, tz)[0]


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    """The (year, month) ``delta`` months away."""
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def days_touched(start: datetime, end: datetime, tz: ZoneInfo) -> list[date]:
    """Every local day that the UTC interval [start, end] touches."""
    first, last = local_date(start, tz), local_date(end, tz)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def format_time(moment: datetime | None, tz: ZoneInfo) -> str:
    """``27 Nov 2026, 14:05 CET`` in the page zone ('' for None)."""
    if moment is None:
        return ""
    local = moment.astimezone(tz)
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def format_day(day: date) -> str:
    """``27 Nov 2026``."""
    return f"{day.day} {day:%b %Y}"


def iso_local(moment: datetime | None, tz: ZoneInfo) -> str | None:
    """ISO 8601 with milliseconds and the page zone's offset (Statuspage's style)."""
    if moment is None:
        return None
    return moment.astimezone(tz).isoformat(timespec="milliseconds")
