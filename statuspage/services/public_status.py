"""The public read model: everything the public sees, built from the database.

Pages, feeds, badges, the calendar and both public APIs read through these
functions only, and every one returns plain dicts that are public-safe by
construction: internal incidents and internal updates never appear, draft
postmortems are invisible, and no author or email leaves this module. Views
and the caching layer turn the dicts into HTML, JSON, feeds and SVG.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

import redis
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..domain.locales import N_
from ..domain.pagetime import day_bounds, local_date, zone
from ..domain.statuses import (SEVERITY_IMPACT, STATUS_LABEL, banner_sentence, impact_label, page_indicator,
                               worst_component_status)
from ..errors import NotFound
from ..extensions import db, redis_client
from ..models import (Component, ComponentGroup, Incident, IncidentUpdate, Maintenance,
                      MaintenanceComponent, Postmortem, utcnow)
from .. import markdown
from . import monitor_metrics, settings, uptime

HISTORY_DAYS = 14


def page_zone():
    """The page's time zone."""
    return zone(settings.current()["time_zone"])


def page_info(updated_at: Optional[datetime] = None) -> dict:
    """The page's identity (Statuspage's ``page`` object)."""
    cfg, brand = current_app.config, settings.current()
    return {"id": cfg.get("PAGE_ID", "statuspage"), "name": brand["page_name"],
            "url": cfg["PUBLIC_BASE_URL"] + "/status", "time_zone": brand["time_zone"],
            "updated_at": updated_at}


def _public_updates(incident: Incident) -> list[IncidentUpdate]:
    return [u for u in incident.updates if u.visibility == "public"]


def incident_view(incident: Incident, with_updates: bool = False) -> dict:
    """A public incident: its fields, components and latest public update (or all, newest first)."""
    updates = _public_updates(incident)
    view = {
        "id": incident.id, "title": incident.title, "status": incident.status,
        "severity": incident.severity, "impact": SEVERITY_IMPACT[incident.severity],
        "impact_label": impact_label(incident.severity),
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
    return {"id": entry.id, "status": entry.status, "body": entry.body, "body_html": str(markdown.render(entry.body)),
            "created_at": entry.created_at,
            "notify": entry.notify, "components": [{"id": c.component_id, "name": c.component.name,
                            "old_status": c.old_status, "new_status": c.new_status}
                           for c in entry.component_changes]}


def _incident_query():
    return (select(Incident).where(Incident.visibility == "public")
            .options(selectinload(Incident.updates).selectinload(IncidentUpdate.component_changes))
            .order_by(Incident.created_at.desc(), Incident.id.desc()))


def _incidents(stmt, with_updates: bool = False) -> list[dict]:
    return [incident_view(i, with_updates) for i in db.session.scalars(stmt)]


def active_incidents() -> list[dict]:
    """Unresolved public incidents, newest first."""
    return _incidents(_incident_query().where(Incident.status != "resolved"))


def internal_incidents() -> list[dict]:
    """Unresolved internal incidents with every update (for signed-in readers only)."""
    stmt = (select(Incident).where(Incident.visibility == "internal", Incident.status != "resolved")
            .options(selectinload(Incident.updates).selectinload(IncidentUpdate.component_changes))
            .order_by(Incident.created_at.desc(), Incident.id.desc()))
    views = []
    for incident in db.session.scalars(stmt):
        view = incident_view(incident)
        latest = incident.updates[-1] if incident.updates else None
        views.append({**view, "internal": True, "latest_update": _update_view(latest) if latest else None})
    return views


def incidents_between(start: datetime, end: datetime) -> list[dict]:
    """Public incidents opened in [start, end), newest first."""
    return _incidents(_incident_query().where(Incident.created_at >= start, Incident.created_at < end))


def incidents_by_id(ids) -> dict[int, dict]:
    """Public incidents with these ids, by id."""
    return {v["id"]: v for v in _incidents(_incident_query().where(Incident.id.in_(list(ids))))}


def latest_incidents(limit: int, unresolved: bool = False) -> list[dict]:
    """The newest public incidents (all, or the unresolved) with their public timelines."""
    stmt = _incident_query()
    stmt = stmt.where(Incident.status != "resolved") if unresolved else stmt.limit(limit)
    return _incidents(stmt, with_updates=True)


def last_change() -> datetime:
    """When a component or a public incident last changed."""
    stamps = db.session.scalars(select(Component.updated_at).where(Component.active)).all()
    latest = db.session.scalar(select(func.max(Incident.updated_at)).where(Incident.visibility == "public"))
    return max([*stamps, *([latest] if latest else [])], default=utcnow())


def maintenance_view(m: Maintenance) -> dict:
    """A maintenance window with the names of its components."""
    return {"id": m.id, "title": m.title, "description": m.description, "status": m.status,
            "starts_at": m.starts_at, "ends_at": m.ends_at, "started_at": m.started_at,
            "completed_at": m.completed_at, "created_at": m.created_at, "updated_at": m.updated_at,
            "components": [{"id": c.component_id, "name": c.component.name}
                           for c in m.shown_components]}


def maintenance_record(maintenance_id: int) -> dict:
    """One maintenance window (404 when there is none)."""
    found = db.session.get(Maintenance, maintenance_id)
    if found is None:
        raise NotFound(f"Maintenance {maintenance_id} does not exist.")
    return maintenance_view(found)


def maintenances(now: datetime) -> dict:
    """Windows in progress (``active``) and scheduled ones not yet over (``upcoming``), soonest first."""
    rows = db.session.scalars(select(Maintenance).where(Maintenance.status != "completed")
                              .order_by(Maintenance.starts_at, Maintenance.id)).all()
    active = [m for m in rows if m.status in ("in_progress", "verifying")]
    upcoming = [m for m in rows if m.status == "scheduled" and m.ends_at > now]
    return {"active": [maintenance_view(m) for m in active],
            "upcoming": [maintenance_view(m) for m in upcoming]}


def maintenance_windows(component_id: Optional[int] = None, latest: Optional[int] = None) -> list[dict]:
    """Every window soonest first (of one component), or the ``latest`` N by start, latest first."""
    stmt = select(Maintenance)
    if component_id is not None:
        stmt = stmt.where(Maintenance.components.any(MaintenanceComponent.component_id == component_id))
    if latest is not None:
        stmt = stmt.order_by(Maintenance.starts_at.desc()).limit(latest)
    else:
        stmt = stmt.order_by(Maintenance.starts_at)
    return [maintenance_view(m) for m in db.session.scalars(stmt)]


def component_record(c: Component) -> dict:
    """A component's own fields."""
    return {"id": c.id, "name": c.name, "description": c.description, "status": c.status,
            "position": c.position, "group_id": c.group_id, "created_at": c.created_at,
            "updated_at": c.updated_at}


def components() -> list[dict]:
    """Every component on the page (archived ones are not), in page order."""
    return [component_record(c) for c in db.session.scalars(
        select(Component).where(Component.active).order_by(Component.position, Component.id))]


def component(component_id: int) -> dict:
    """One component on the page (404 when there is none or it is archived)."""
    found = db.session.get(Component, component_id)
    if found is None or found.archived_at is not None:
        raise NotFound(f"Component {component_id} does not exist.")
    return component_record(found)


def groups() -> list[dict]:
    """Every component group, in page order."""
    return [{"id": g.id, "name": g.name, "description": g.description, "position": g.position,
             "created_at": g.created_at, "updated_at": g.updated_at}
            for g in db.session.scalars(select(ComponentGroup).order_by(ComponentGroup.position))]


def page_status() -> tuple[str, str]:
    """The page's ``(indicator, description)`` from the status of every component on it."""
    return page_indicator(db.session.scalars(select(Component.status).where(Component.active)))


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
        days.append({"date": day, "incidents": [i for i in listed
                                                if local_date(i["created_at"], tz) == day]})
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
    charts = monitor_metrics.public_charts()  # response times of public monitors
    views = {c.id: {**_component_view(c, ups[c.id]), "metrics": charts.get(c.id, [])} for c in components}
    incidents = active_incidents()
    maint = maintenances(now)
    indicator, description = page_indicator(c.status for c in components)
    stamps = [c.updated_at for c in components] + [i["updated_at"] for i in incidents]
    return {
        "page": page_info(max(stamps, default=now)),
        "status": {"indicator": indicator, "description": description,
                   "reasons": _reasons(components, incidents, maint),
                   "banner": banner_sentence([{"id": c.id, "name": c.name, "status": c.status} for c in components],
                                             incidents, [m["title"] for m in maint["active"]])},
        "components": [views[c.id] for c in components],
        "groups": _groups(components, views),
        "incidents": incidents,
        "maintenances": maint,
        "history": _history(now, tz),
        "generated_at": now,
        "last_event_id": position,
    }


def public_incident(incident_id: int) -> Incident:
    """The incident if the public may see it (404 otherwise)."""
    incident = db.session.get(Incident, incident_id)
    if incident is None or incident.visibility != "public":
        raise NotFound(f"Incident {incident_id} does not exist.")
    return incident


def incident_detail(incident_id: int) -> dict:
    """A public incident with its whole public timeline and its postmortem's publication time."""
    incident = public_incident(incident_id)
    view = incident_view(incident, with_updates=True)
    postmortem = published_postmortem(incident_id, required=False)
    view["postmortem_published_at"] = postmortem.published_at if postmortem else None
    return view


def published_postmortem(incident_id: int, required: bool = True) -> Optional[Postmortem]:
    """The incident's postmortem if published (404, or None when not ``required``)."""
    public_incident(incident_id)
    postmortem = db.session.scalar(select(Postmortem).where(Postmortem.incident_id == incident_id))
    if postmortem is None or postmortem.status != "published":
        if required:
            raise NotFound(f"Incident {incident_id} has no published postmortem.")
        return None
    return postmortem


def postmortem_view(incident_id: int) -> dict:
    """A published postmortem's sections with its incident."""
    postmortem = published_postmortem(incident_id)
    incident = incident_view(public_incident(incident_id))
    return {"incident": incident, "published_at": postmortem.published_at,
            "sections": [{"key": key, "title": title, "body": getattr(postmortem, key)}
                         for key, title in (("summary", N_("Summary")), ("impact", N_("Impact")),
                                            ("root_cause", N_("Root cause")),
                                            ("resolution", N_("Resolution")),
                                            ("lessons", N_("Lessons learned")))
                         if getattr(postmortem, key)]}

