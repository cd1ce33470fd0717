"""Outbox events for incidents: what the admin and the public streams may carry."""
from __future__ import annotations

from typing import Optional

from .. import markdown
from ..domain.statuses import SEVERITY_IMPACT
from ..models import Incident, IncidentUpdate
from . import components, outbox


def _iso(value):
    return value.isoformat() if value else None


def public_incident(incident: Incident) -> dict:
    """Public-safe incident fields (never authors, emails or internal text)."""
    return {
        "id": incident.id,
        "title": incident.title,
        "status": incident.status,
        "severity": incident.severity,
        "impact": SEVERITY_IMPACT[incident.severity],
        "components": [{"id": c.component_id, "name": c.component.name, "status": c.component.status}
                       for c in incident.components],
        "created_at": _iso(incident.created_at),
        "updated_at": _iso(incident.updated_at),
        "resolved_at": _iso(incident.resolved_at),
        "next_update_at": _iso(incident.next_update_at),
    }


def public_update(entry: IncidentUpdate) -> dict:
    """Public-safe fields of a timeline entry."""
    return {
        "id": entry.id,
        "status": entry.status,
        "body": entry.body,
        "body_html": str(markdown.render(entry.body)),
        "created_at": _iso(entry.created_at),
        "components": [{"id": c.component_id, "old_status": c.old_status, "new_status": c.new_status}
                       for c in entry.component_changes],
    }


def admin_update(entry: IncidentUpdate) -> dict:
    """A timeline entry as the admin stream carries it (visibility, kind, author)."""
    return {**public_update(entry), "visibility": entry.visibility, "kind": entry.kind,
            "author": entry.author_label}


def admin_incident(incident: Incident) -> dict:
    """An incident as the admin stream carries it (internal fields included)."""
    return {**public_incident(incident), "visibility": incident.visibility,
            "summary": incident.summary, "tags": incident.tags,
            "reopen_count": incident.reopen_count}


def emit(event_type: str, incident: Incident, entry: Optional[IncidentUpdate] = None,
         *, notify: bool = False, **extra) -> None:
    """Record an incident event; public, email and webhooks only when the public may see it."""
    page = components.overall_status()
    payload = {"incident": admin_incident(incident), "page": page, **extra}
    if entry is not None:
        payload["update"] = admin_update(entry)
    public = None
    public_entry_ok = entry is None or entry.visibility == "public"
    if incident.visibility == "public" and public_entry_ok:
        public = {"incident": public_incident(incident), "page": page, **extra}
        if entry is not None:
            public["update"] = public_update(entry)
    # Internal events are fanned out too: chat integrations with include_internal hear of them.
    outbox.record(event_type, payload, public, incident_id=incident.id, notify=notify)
