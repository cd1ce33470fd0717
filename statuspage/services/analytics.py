"""Incident analytics: MTTR, mean time to identify, activity and the severity mix.

Definitions (stated once, here, so the figures can be checked by hand):

- window: ``[now - window_days, now]``.
- MTTR: mean of ``resolved_at - created_at`` over incidents currently resolved
  whose (final) resolution falls in the window. A reopened incident counts once,
  from creation to its last resolution (``resolved_at`` is cleared on reopen).
- MTTI: mean of ``first time status became identified - created_at`` over
  incidents created in the window that were ever identified (from the timeline,
  so a later re-identification after a reopen does not move it).
- active: incidents not resolved, whenever created.
- resolved_last_7_days: incidents currently resolved with ``resolved_at`` in the last 7 days.
- by_severity: per severity, incidents created in the window, resolved in the
  window, active now, and the MTTR of that severity.
"""
from __future__ import annotations

from datetime import timedelta
from statistics import fmean
from typing import Iterable, Optional

from sqlalchemy import func, select

from ..domain.statuses import SEVERITIES
from ..extensions import db
from ..models import Incident, IncidentUpdate, utcnow


def _mean(values: Iterable[float]) -> Optional[float]:
    values = list(values)
    return round(fmean(values), 1) if values else None


def summary(window_days: int, now=None) -> dict:
    """MTTR, active and recent counts and the severity mix over the last ``window_days``."""
    now = now or utcnow()
    since = now - timedelta(days=window_days)
    week_ago = now - timedelta(days=7)
    resolved = db.session.execute(select(
        Incident.severity, Incident.created_at, Incident.resolved_at).where(
        Incident.status == "resolved", Incident.resolved_at >= since,
        Incident.resolved_at <= now)).all()
    created = db.session.execute(select(
        Incident.id, Incident.severity, Incident.created_at, Incident.reopen_count).where(
        Incident.created_at >= since, Incident.created_at <= now)).all()
    active = db.session.execute(select(Incident.severity, func.count()).where(
        Incident.status != "resolved").group_by(Incident.severity)).all()
    first_identified = dict(db.session.execute(select(
        IncidentUpdate.incident_id, func.min(IncidentUpdate.created_at)).where(
        IncidentUpdate.status == "identified",
        IncidentUpdate.incident_id.in_([row.id for row in created])).group_by(
        IncidentUpdate.incident_id)).all())
    durations = [(r.severity, (r.resolved_at - r.created_at).total_seconds()) for r in resolved]
    active_by = dict(active)
    by_severity = {
        sev: {
            "created": sum(1 for r in created if r.severity == sev),
            "resolved": sum(1 for s, _ in durations if s == sev),
            "active": active_by.get(sev, 0),
            "mttr_seconds": _mean(d for s, d in durations if s == sev),
        }
        for sev in SEVERITIES
    }
    return {
        "window_days": window_days,
        "generated_at": now.isoformat(),
        "mttr_seconds": _mean(d for _, d in durations),
        "mtti_seconds": _mean((first_identified[r.id] - r.created_at).total_seconds()
                              for r in created if r.id in first_identified),
        "active": sum(active_by.values()),
        "resolved_last_7_days": db.session.scalar(select(func.count()).select_from(Incident).where(
            Incident.status == "resolved", Incident.resolved_at >= week_ago,
            Incident.resolved_at <= now)),
        "created_in_window": len(created),
        "resolved_in_window": len(durations),
        "reopened_in_window": sum(1 for r in created if r.reopen_count),
        "by_severity": by_severity,
    }
