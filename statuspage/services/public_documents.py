"""The public JSON documents readers poll: small enough to fetch often.

``/api/public/status`` carries what the page needs to paint and to follow the live
stream (status, components, groups by id, active incidents, maintenance, a slim
14-day history); the 90 days of uptime per component live in ``/api/public/uptime``,
where only the days worth a mark (not fully up, or with an incident) are listed.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import select

from ..domain.pagetime import local_date
from ..extensions import db
from ..models import Incident, Postmortem, utcnow
from . import public_history, public_status

UPTIME_URL = "/api/public/uptime"
_COMPONENT = ("id", "name", "description", "status", "status_label", "group_id", "position",
              "uptime_30", "uptime_90")
_GROUP = ("id", "name", "description", "position", "status", "status_label", "open")
_HISTORY_INCIDENT = ("id", "title", "status", "severity", "impact", "created_at", "resolved_at")


def status_document(now: Optional[datetime] = None) -> dict:
    """The status aggregate without per-day uptime, each component listed once."""
    data = public_status.build(now)
    return {
        "page": data["page"],
        "status": data["status"],
        "components": [{k: c[k] for k in _COMPONENT} for c in data["components"]],
        "groups": [{**{k: g.get(k) for k in _GROUP},
                    "component_ids": [c["id"] for c in g["components"]]} for g in data["groups"]],
        "incidents": data["incidents"],
        "maintenances": data["maintenances"],
        "history": [{"date": d["date"], "incidents": [{k: i[k] for k in _HISTORY_INCIDENT}
                                                      for i in d["incidents"]]}
                    for d in data["history"]],
        "uptime_url": UPTIME_URL,
        "generated_at": data["generated_at"],
        "last_event_id": data["last_event_id"],
    }


def _plain(day: dict) -> bool:
    return day["level"] == "operational" and day["uptime"] == 100 and not day["incidents"]


def uptime_document(now: Optional[datetime] = None) -> dict:
    """Per component: 30/90-day percentages and the marked days, by index from ``start``.

    A day not listed was fully up with no incident.
    """
    data = public_status.build(now)
    components = data["components"]
    first = components[0]["days"][0]["date"] if components else None
    return {
        "start": first,
        "days": len(components[0]["days"]) if components else 0,
        "components": [{
            "id": c["id"], "uptime_30": c["uptime_30"], "uptime_90": c["uptime_90"],
            "marked": [{"index": index, **{k: day[k] for k in ("level", "uptime", "incidents")}}
                       for index, day in enumerate(c["days"]) if not _plain(day)],
        } for c in components],
        "generated_at": data["generated_at"],
    }


def export_index() -> dict:
    """What a static copy of the public site holds: public incident ids, those with a
    published postmortem, component ids, and how many history pages there are."""
    incidents = db.session.scalars(select(Incident.id).where(Incident.visibility == "public")
                                   .order_by(Incident.id)).all()
    postmortems = db.session.scalars(
        select(Postmortem.incident_id).join(Incident, Incident.id == Postmortem.incident_id)
        .where(Incident.visibility == "public", Postmortem.status == "published")
        .order_by(Postmortem.incident_id)).all()
    components = [c["id"] for c in public_status.components()]
    pages = public_history.page(1, public_history.PER_PAGE)["pages"]
    return {"incidents": list(incidents), "postmortems": list(postmortems),
            "components": components, "history_pages": pages}
