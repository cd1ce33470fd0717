"""Builders for public-page tests: rows the public page reads (maintenance and
postmortems are written by other parts of the product; here we add them directly)."""
from __future__ import annotations

from datetime import timedelta

from statuspage.extensions import db
from statuspage.models import Maintenance, MaintenanceComponent, Postmortem, utcnow


def make_maintenance(title="Database upgrade", status="scheduled", starts_in=timedelta(days=1),
                     hours=2, component_ids=(), description="We will upgrade the database."):
    starts = utcnow() + starts_in
    m = Maintenance(title=title, description=description, status=status, starts_at=starts,
                    ends_at=starts + timedelta(hours=hours))
    m.components = [MaintenanceComponent(component_id=i) for i in component_ids]
    db.session.add(m)
    db.session.commit()
    return m


def make_postmortem(incident_id, status="published", **sections):
    pm = Postmortem(incident_id=incident_id, status=status,
                    published_at=utcnow() if status == "published" else None,
                    summary=sections.get("summary", "A bad deploy."),
                    root_cause=sections.get("root_cause", "A **config** typo."),
                    impact=sections.get("impact", ""), resolution=sections.get("resolution", "Rolled back."),
                    lessons=sections.get("lessons", ""))
    db.session.add(pm)
    db.session.commit()
    return pm
