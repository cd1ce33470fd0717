"""Atlassian Statuspage v2 shapes (``/api/v2/*.json``) from our public read model.

Field names and enums follow Statuspage's public API so existing widgets and
clients work unchanged: ids are strings, times are ISO 8601 in the page's
zone, groups appear as components with ``group: true``.
"""
from __future__ import annotations

from sqlalchemy import select

from ..domain.pagetime import iso_local
from ..domain.statuses import SEVERITY_IMPACT, page_indicator, worst_component_status
from ..extensions import db
from ..models import Component, ComponentGroup, Incident, Maintenance, utcnow
from .public_status import _incident_query, page_info, page_zone

LIST_LIMIT = 50
# Statuspage documents indicator as none | minor | major | critical.
_V2_INDICATOR = {"maintenance": "none"}


def _page_id() -> str:
    return page_info()["id"]


def _group_key(group_id: int) -> str:
    # Groups and components share Statuspage's id space; ours are separate tables.
    return f"group-{group_id}"


def _component(c: Component, tz) -> dict:
    return {"id": str(c.id), "name": c.name, "status": c.status,
            "created_at": iso_local(c.created_at, tz), "updated_at": iso_local(c.updated_at, tz),
            "position": c.position, "description": c.description or None, "showcase": True,
            "start_date": c.created_at.astimezone(tz).date().isoformat(),
            "group_id": _group_key(c.group_id) if c.group_id else None, "page_id": _page_id(),
            "group": False, "only_show_if_degraded": False}


def _group(g: ComponentGroup, members: list[Component], tz) -> dict:
    return {"id": _group_key(g.id), "name": g.name,
            "status": worst_component_status(m.status for m in members),
            "created_at": iso_local(g.created_at, tz), "updated_at": iso_local(g.updated_at, tz),
            "position": g.position, "description": g.description or None, "showcase": False,
            "start_date": None, "group_id": None, "page_id": _page_id(), "group": True,
            "only_show_if_degraded": False, "components": [str(m.id) for m in members]}


def components() -> list[dict]:
    tz = page_zone()
    rows = db.session.scalars(select(Component).where(Component.active)
                              .order_by(Component.position, Component.id)).all()
    groups = db.session.scalars(select(ComponentGroup).order_by(ComponentGroup.position)).all()
    out = [_component(c, tz) for c in rows]
    for g in groups:
        members = [c for c in rows if c.group_id == g.id]
        if members:
            out.append(_group(g, members, tz))
    return sorted(out, key=lambda c: (c["position"], c["group"], c["id"]))


def status() -> dict:
    indicator, description = page_indicator(db.session.scalars(
        select(Component.status).where(Component.active)))
    return {"indicator": _V2_INDICATOR.get(indicator, indicator), "description": description}


def _update(entry, incident: Incident, tz) -> dict:
    at = iso_local(entry.created_at, tz)
    return {"id": str(entry.id), "status": entry.status, "body": entry.body,
            "incident_id": str(incident.id), "created_at": at, "updated_at": at, "display_at": at,
            "affected_components": [{"code": str(c.component_id), "name": c.component.name,
                                     "old_status": c.old_status, "new_status": c.new_status}
                                    for c in entry.component_changes] or None,
            "deliver_notifications": entry.notify, "custom_tweet": None, "tweet_id": None}


def _incident(i: Incident, tz, base: str) -> dict:
    updates = [u for u in i.updates if u.visibility == "public"]
    return {"id": str(i.id), "name": i.title, "status": i.status, "impact": SEVERITY_IMPACT[i.severity],
            "created_at": iso_local(i.created_at, tz), "updated_at": iso_local(i.updated_at, tz),
            "monitoring_at": iso_local(i.monitoring_at, tz), "resolved_at": iso_local(i.resolved_at, tz),
            "started_at": iso_local(i.created_at, tz), "shortlink": f"{base}/status/incidents/{i.id}",
            "page_id": _page_id(),
            "incident_updates": [_update(u, i, tz) for u in reversed(updates)],
            "components": [_component(c.component, tz) for c in i.components]}


def incidents(unresolved: bool = False) -> list[dict]:
    from flask import current_app

    tz, base = page_zone(), current_app.config["PUBLIC_BASE_URL"]
    stmt = _incident_query().order_by(Incident.created_at.desc(), Incident.id.desc())
    if unresolved:
        stmt = stmt.where(Incident.status != "resolved")
    else:
        stmt = stmt.limit(LIST_LIMIT)
    return [_incident(i, tz, base) for i in db.session.scalars(stmt)]


def _maintenance(m: Maintenance, tz, base: str) -> dict:
    at = iso_local(m.created_at, tz)
    return {"id": f"maintenance-{m.id}", "name": m.title, "status": m.status, "impact": "maintenance",
            "created_at": at, "updated_at": iso_local(m.updated_at, tz),
            "monitoring_at": None, "resolved_at": iso_local(m.completed_at, tz),
            "started_at": iso_local(m.started_at or m.starts_at, tz),
            "scheduled_for": iso_local(m.starts_at, tz), "scheduled_until": iso_local(m.ends_at, tz),
            "shortlink": f"{base}/status#maintenance-{m.id}", "page_id": _page_id(),
            "incident_updates": [{"id": f"maintenance-{m.id}-update", "status": m.status,
                                  "body": m.description, "incident_id": f"maintenance-{m.id}",
                                  "created_at": at, "updated_at": at, "display_at": at,
                                  "affected_components": None, "deliver_notifications": True,
                                  "custom_tweet": None, "tweet_id": None}],
            "components": [_component(c.component, tz) for c in m.shown_components]}


def maintenances(which: str = "all") -> list[dict]:
    """``all`` (latest 50), ``upcoming`` (scheduled) or ``active`` (in progress / verifying)."""
    from flask import current_app

    tz, base = page_zone(), current_app.config["PUBLIC_BASE_URL"]
    stmt = select(Maintenance)
    if which == "upcoming":
        stmt = stmt.where(Maintenance.status == "scheduled", Maintenance.ends_at > utcnow()) \
            .order_by(Maintenance.starts_at)
    elif which == "active":
        stmt = stmt.where(Maintenance.status.in_(("in_progress", "verifying"))).order_by(Maintenance.starts_at)
    else:
        stmt = stmt.order_by(Maintenance.starts_at.desc()).limit(LIST_LIMIT)
    return [_maintenance(m, tz, base) for m in db.session.scalars(stmt)]


def page() -> dict:
    tz = page_zone()
    info = page_info()
    stamps = db.session.scalars(select(Component.updated_at).where(Component.active)).all()
    latest = db.session.scalar(select(db.func.max(Incident.updated_at)).where(Incident.visibility == "public"))
    info["updated_at"] = iso_local(max([*stamps, *([latest] if latest else [])], default=utcnow()), tz)
    return info


def document(name: str) -> dict:
    """The body of ``/api/v2/<name>.json``."""
    body = {"page": page()}
    if name == "summary":
        body.update(components=components(), incidents=incidents(unresolved=True),
                    scheduled_maintenances=maintenances("upcoming") + maintenances("active"),
                    status=status())
    elif name == "status":
        body["status"] = status()
    elif name == "components":
        body["components"] = components()
    elif name in ("incidents", "incidents/unresolved"):
        body["incidents"] = incidents(unresolved=name.endswith("unresolved"))
    else:
        which = name.partition("/")[2] or "all"
        body["scheduled_maintenances"] = maintenances(which)
    return body
