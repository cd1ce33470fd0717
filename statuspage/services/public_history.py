"""The public history: incidents and maintenance windows that have begun, newest first, by page."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import select

from ..extensions import db
from ..models import Incident, Maintenance, utcnow
from .public_status import incidents_by_id, maintenance_view

PER_PAGE = 20  # entries on one history page


def page(page: int, per_page: int, now: Optional[datetime] = None) -> dict:
    """Incidents and maintenance windows that have begun, newest first, one page of them:
    ``{"entries": [{"kind", "at", "item"}], "page", "pages"}``."""
    now = now or utcnow()
    starts = [("incident", i, at) for i, at in db.session.execute(
        select(Incident.id, Incident.created_at).where(Incident.visibility == "public"))]
    starts += [("maintenance", m, at) for m, at in db.session.execute(
        select(Maintenance.id, Maintenance.starts_at).where(Maintenance.starts_at <= now))]
    starts.sort(key=lambda entry: (entry[2], entry[1]), reverse=True)
    pages = max(1, -(-len(starts) // per_page))
    chosen = starts[(page - 1) * per_page:page * per_page]
    incident_ids = [i for kind, i, _ in chosen if kind == "incident"]
    maintenance_ids = [m for kind, m, _ in chosen if kind == "maintenance"]
    incidents = incidents_by_id(incident_ids)
    windows = {m.id: maintenance_view(m) for m in db.session.scalars(
        select(Maintenance).where(Maintenance.id.in_(maintenance_ids)))}
    entries = [{"kind": kind, "at": at, "item": incidents[i] if kind == "incident" else windows[i]}
               for kind, i, at in chosen]
    return {"entries": entries, "page": page, "pages": pages}
