"""Uptime bars and percentages from the component status history.

Each component's status over time is rebuilt from ``ComponentStatusChange``
rows: the status before the window is the first in-window change's
``from_status`` (or the current status when nothing changed). Downtime follows
Statuspage's weighting: a major outage counts in full, a partial outage for
30%; degraded performance and maintenance count as up. Days are local days of
the page zone; time before a component existed is "no data", not uptime.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..domain.pagetime import day_bounds, days_touched, local_date
from ..domain.statuses import worst_component_status
from ..extensions import db
from ..models import Component, ComponentStatusChange, Incident, IncidentComponent

DOWNTIME_WEIGHT = {"major_outage": 1.0, "partial_outage": 0.3}


@dataclass
class Day:
    """One local day of one component's bar."""

    date: date
    level: str = "nodata"  # worst status seen that day, or "nodata"
    observed: float = 0.0  # seconds the component existed that day
    downtime: float = 0.0  # weighted seconds down
    incidents: list[dict] = field(default_factory=list)

    @property
    def uptime(self) -> float | None:
        """Percent up that day (None before the component existed)."""
        return None if not self.observed else round(100 * (1 - self.downtime / self.observed), 2)

    def as_dict(self) -> dict:
        """The day as the page and the API show it."""
        return {"date": self.date.isoformat(), "level": self.level, "uptime": self.uptime,
                "incidents": self.incidents}


@dataclass
class Uptime:
    """A component's days over the whole window."""

    days: list[Day]

    def percent(self, last_days: int) -> float | None:
        """Percent up over the last ``last_days`` days (None without data)."""
        window = self.days[-last_days:]
        observed = sum(d.observed for d in window)
        if not observed:
            return None
        return round(100 * (1 - sum(d.downtime for d in window) / observed), 3)


def _segments(component: Component, changes: list[ComponentStatusChange], start: datetime,
              now: datetime) -> list[tuple[datetime, datetime, str]]:
    """(from, to, status) pieces covering [max(start, created), now]."""
    begin = max(start, component.created_at)
    if changes:
        status = changes[0].from_status or changes[0].to_status
        if changes[0].from_status is None:
            begin = max(begin, changes[0].changed_at)
    else:
        status = component.status
    pieces, cursor = [], begin
    for change in changes:
        at = max(change.changed_at, begin)
        if at > cursor:
            pieces.append((cursor, at, status))
        cursor, status = max(cursor, at), change.to_status
    if now > cursor:
        pieces.append((cursor, now, status))
    return pieces


def _fill(days: dict[date, Day], pieces, tz: ZoneInfo) -> None:
    for lo, hi, status in pieces:
        for day in days_touched(lo, hi, tz):
            if day not in days:
                continue
            d_lo, d_hi = day_bounds(day, tz)
            overlap = (min(hi, d_hi) - max(lo, d_lo)).total_seconds()
            if overlap <= 0:
                continue
            entry = days[day]
            entry.observed += overlap
            entry.downtime += overlap * DOWNTIME_WEIGHT.get(status, 0.0)
            entry.level = status if entry.level == "nodata" else worst_component_status((entry.level, status))


def _incidents_by_component(ids: list[int], start: datetime, now: datetime, tz: ZoneInfo):
    """{component_id: {day: [incident, ...]}} for public incidents in the window."""
    rows = db.session.execute(
        select(IncidentComponent.component_id, Incident.id, Incident.title, Incident.severity,
               Incident.created_at, Incident.resolved_at)
        .join(Incident, Incident.id == IncidentComponent.incident_id)
        .where(IncidentComponent.component_id.in_(ids), Incident.visibility == "public",
               Incident.created_at < now,
               (Incident.resolved_at.is_(None)) | (Incident.resolved_at >= start))
        .order_by(Incident.created_at, Incident.id)
    ).all()
    found: dict[int, dict[date, list[dict]]] = {}
    for cid, iid, title, severity, created, resolved in rows:
        for day in days_touched(max(created, start), resolved or now, tz):
            found.setdefault(cid, {}).setdefault(day, []).append(
                {"id": iid, "title": title, "severity": severity})
    return found


def for_components(components: list[Component], tz: ZoneInfo, now: datetime,
                   days: int = 90) -> dict[int, Uptime]:
    """Uptime per component id over the last ``days`` local days (today included)."""
    today = local_date(now, tz)
    first = today - timedelta(days=days - 1)
    start = day_bounds(first, tz)[0]
    ids = [c.id for c in components]
    changes: dict[int, list[ComponentStatusChange]] = {i: [] for i in ids}
    if ids:
        for change in db.session.scalars(
            select(ComponentStatusChange)
            .where(ComponentStatusChange.component_id.in_(ids),
                   ComponentStatusChange.changed_at >= start,
                   ComponentStatusChange.changed_at <= now)
            .order_by(ComponentStatusChange.changed_at, ComponentStatusChange.id)
        ):
            changes[change.component_id].append(change)
    incidents = _incidents_by_component(ids, start, now, tz) if ids else {}
    result = {}
    for component in components:
        by_day = {first + timedelta(days=i): Day(first + timedelta(days=i)) for i in range(days)}
        _fill(by_day, _segments(component, changes[component.id], start, now), tz)
        for day, listed in incidents.get(component.id, {}).items():
            if day in by_day:
                by_day[day].incidents = listed
        result[component.id] = Uptime(list(by_day.values()))
    return result
