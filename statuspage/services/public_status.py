"""The public page's read model: one aggregate built from the database.

Everything here is public-safe by construction: internal incidents and
internal updates never appear, draft postmortems are invisible, and no author
or email leaves this module. Views and the caching layer turn these dicts into
HTML, JSON and feeds.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Optional

import redis
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..domain.pagetime import day_bounds, local_date, zone
from ..domain.statuses import SEVERITY_IMPACT, page_indicator, worst_component_status
from ..errors import NotFound
from ..extensions import db, redis_client
from ..models import Component, ComponentGroup, Incident, IncidentUpdate, Maintenance, Postmortem, utcnow
from . import uptime

STATUS_LABEL = {
    "operational": "Operational", "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage", "major_outage": "Major outage",
    "under_maintenance": "Under maintenance", "nodata": "No data",
}
HISTORY_DAYS = 14


def page_zone():
    return zone(current_app.config["PAGE_TIMEZONE"])


def page_info(updated_at: Optional[datetime] = None) -> dict:
    cfg = current_app.config
    return {"id": cfg.get("PAGE_ID", "statuspage"), "name": cfg["PAGE_NAME"],
            "url": cfg["PUBLIC_BASE_URL"] + "/status", "time_zone": cfg["PAGE_TIMEZONE"],
            "updated_at": updated_at}


def _public_updates(incident: Incident) -> list[IncidentUpdate]:
    return [u for u in incident.updates if u.visibility == "public"]


def incident_view(incident: Incident, with_updates: bool = False) -> dict:
    updates = _public_updates(incident)
    view = {
        "id": incident.id, "title": incident.title, "status": incident.status,
        "severity": incident.severity, "impact": SEVERITY_IMPACT[incident.severity],
        "created_at": incident.created_at, "updated_at": incident.updated_at,
        "identified_at": incident.identified_at, "monitoring_at": incident.monitoring_at,
        "resolved_at": incident.resolved_at, "next_update_at": incident.next_update_at,
        "components": [{"id": c.component_id, "name": c.component.name, "status": c.status}
                       for c in sorted(incident.components, key=lambda c: c.component.position)],
        "latest_update": _update_view(updates[-1]) if updates else None,
    }
    if with_updates:
        view["updates"] = [_update_view(u) for u in reversed(updates)]
    return view


def _update_view(entry: IncidentUpdate) -> dict:
    return {"id": entry.id, "status": entry.status, "body": entry.body, "created_at": entry.created_at,
            "components": [{"id": c.component_id, "name": c.component.name,
                            "old_status": c.old_status, "new_status": c.new_status}
                           for c in entry.component_changes]}


def _incident_query():
    return (select(Incident).where(Incident.visibility == "public")
            .options(selectinload(Incident.updates).selectinload(IncidentUpdate.component_changes)))


def active_incidents() -> list[Incident]:
    return list(db.session.scalars(_incident_query().where(Incident.status != "resolved")
                                   .order_by(Incident.created_at.desc(), Incident.id.desc())))


def incidents_between(start: datetime, end: datetime) -> list[Incident]:
    return list(db.session.scalars(
        _incident_query().where(Incident.created_at >= start, Incident.created_at < end)
        .order_by(Incident.created_at.desc(), Incident.id.desc())))


def maintenance_view(m: Maintenance) -> dict:
    return {"id": m.id, "title": m.title, "description": m.description, "status": m.status,
            "starts_at": m.starts_at, "ends_at": m.ends_at, "started_at": m.started_at,
            "completed_at": m.completed_at, "created_at": m.created_at, "updated_at": m.updated_at,
            "components": [{"id": c.component_id, "name": c.component.name}
                           for c in m.shown_components]}


def maintenances(now: datetime) -> dict:
    rows = db.session.scalars(select(Maintenance).where(Maintenance.status != "completed")
                              .order_by(Maintenance.starts_at, Maintenance.id)).all()
    active = [m for m in rows if m.status in ("in_progress", "verifying")]
    upcoming = [m for m in rows if m.status == "scheduled" and m.ends_at > now]
    return {"active": [maintenance_view(m) for m in active],
            "upcoming": [maintenance_view(m) for m in upcoming]}


def _component_view(c: Component, up: uptime.Uptime) -> dict:
    return {"id": c.id, "name": c.name, "description": c.description, "status": c.status,
            "status_label": STATUS_LABEL[c.status], "group_id": c.group_id, "position": c.position,
            "uptime_30": up.percent(30), "uptime_90": up.percent(90),
            "days": [d.as_dict() for d in up.days]}


def _groups(components: list[Component], views: dict[int, dict]) -> list[dict]:
    """Groups in order with their members; ungrouped components form groups of one."""
    groups = db.session.scalars(select(ComponentGroup).order_by(ComponentGroup.position, ComponentGroup.id)).all()
    out = []
    for group in groups:
        members = [views[c.id] for c in components if c.group_id == group.id]
        if not members:
            continue
        status = worst_component_status(m["status"] for m in members)
        out.append({"id": group.id, "name": group.name, "description": group.description,
                    "position": group.position, "status": status, "status_label": STATUS_LABEL[status],
                    "open": status != "operational", "components": members})
    loose = [{"id": None, "name": None, "components": [views[c.id]], "position": c.position}
             for c in components if c.group_id is None or c.group_id not in {g.id for g in groups}]
    return sorted(out + loose, key=lambda g: (g["position"], g["id"] or 0))


def _reasons(components: list[Component], incidents: list[dict], maint: dict) -> list[str]:
    """Why the banner is not green, in words."""
    reasons = [f"{c.name}: {STATUS_LABEL[c.status].lower()}" for c in components if c.status != "operational"]
    reasons += [f"Incident: {i['title']} ({i['status']})" for i in incidents]
    reasons += [f"Maintenance in progress: {m['title']}" for m in maint["active"]]
    return reasons


def _history(now: datetime, tz) -> list[dict]:
    today = local_date(now, tz)
    first = today - timedelta(days=HISTORY_DAYS - 1)
    listed = incidents_between(day_bounds(first, tz)[0], day_bounds(today, tz)[1])
    days = []
    for offset in range(HISTORY_DAYS):
        day = today - timedelta(days=offset)
        days.append({"date": day, "incidents": [incident_view(i) for i in listed
                                                if local_date(i.created_at, tz) == day]})
    return days


def stream_position() -> Optional[str]:
    """The id of the newest event in the Redis stream ("0-0" while empty; None if Redis is down).

    Read *before* the database: every event up to this id was committed before
    the read, so the page's data includes it, and a client resuming from here
    misses nothing that happened after.
    """
    try:
        newest = redis_client.client.xrevrange(current_app.config["STREAM_KEY"], count=1)
    except redis.RedisError:
        return None
    return newest[0][0].decode() if newest else "0-0"


def build(now: Optional[datetime] = None) -> dict:
    """The whole /status aggregate."""
    position = stream_position()
    now = now or utcnow()
    tz = page_zone()
    components = list(db.session.scalars(select(Component).where(Component.active)
                                         .order_by(Component.position, Component.id)))
    ups = uptime.for_components(components, tz, now)
    views = {c.id: _component_view(c, ups[c.id]) for c in components}
    incidents = [incident_view(i) for i in active_incidents()]
    maint = maintenances(now)
    indicator, description = page_indicator(c.status for c in components)
    stamps = [c.updated_at for c in components] + [i["updated_at"] for i in incidents]
    return {
        "page": page_info(max(stamps, default=now)),
        "status": {"indicator": indicator, "description": description,
                   "reasons": _reasons(components, incidents, maint)},
        "components": [views[c.id] for c in components],
        "groups": _groups(components, views),
        "incidents": incidents,
        "maintenances": maint,
        "history": _history(now, tz),
        "generated_at": now,
        "last_event_id": position,
    }


def public_incident(incident_id: int) -> Incident:
    incident = db.session.get(Incident, incident_id)
    if incident is None or incident.visibility != "public":
        raise NotFound(f"Incident {incident_id} does not exist.")
    return incident


def incident_detail(incident_id: int) -> dict:
    incident = public_incident(incident_id)
    view = incident_view(incident, with_updates=True)
    postmortem = published_postmortem(incident_id, required=False)
    view["postmortem_published_at"] = postmortem.published_at if postmortem else None
    return view


def published_postmortem(incident_id: int, required: bool = True) -> Optional[Postmortem]:
    public_incident(incident_id)
    postmortem = db.session.scalar(select(Postmortem).where(Postmortem.incident_id == incident_id))
    if postmortem is None or postmortem.status != "published":
        if required:
            raise NotFound(f"Incident {incident_id} has no published postmortem.")
        return None
    return postmortem


def postmortem_view(incident_id: int) -> dict:
    postmortem = published_postmortem(incident_id)
    incident = incident_view(public_incident(incident_id))
    return {"incident": incident, "published_at": postmortem.published_at,
            "sections": [{"key": key, "title": title, "body": getattr(postmortem, key)}
                         for key, title in (("summary", "Summary"), ("impact", "Impact"),
                                            ("root_cause", "Root cause"), ("resolution", "Resolution"),
                                            ("lessons", "Lessons learned"))
                         if getattr(postmortem, key)]}


def jsonable(value):
    """Datetimes as ISO 8601 UTC ('Z'), days as YYYY-MM-DD, recursively."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def live_snapshot(data: dict) -> dict:
    """The slim state the page's script starts from (the stream then keeps it current)."""
    return jsonable({
        "last_event_id": data["last_event_id"],
        "status": {k: data["status"][k] for k in ("indicator", "description")},
        "components": [{k: c[k] for k in ("id", "name", "status", "group_id")} for c in data["components"]],
        "incidents": [{**{k: i[k] for k in ("id", "title", "status", "severity", "impact", "created_at",
                                             "next_update_at", "components")},
                       "latest_update": i["latest_update"] and {
                           k: i["latest_update"][k] for k in ("status", "body", "created_at")}}
                      for i in data["incidents"]],
    })
