"""Atlassian Statuspage v2 shapes (``/api/v2/*.json``) from our public read model.

Field names and enums follow Statuspage's public API so existing widgets and
clients work unchanged: ids are strings, times are ISO 8601 in the page's
zone, groups appear as components with ``group: true``.
"""
from __future__ import annotations

from flask import current_app

from ..domain.pagetime import iso_local
from ..domain.statuses import worst_component_status
from ..errors import NotFound
from ..models import utcnow
from . import public_status

LIST_LIMIT = 50
# Statuspage documents indicator as none | minor | major | critical.
_V2_INDICATOR = {"maintenance": "none"}


def _page_id() -> str:
    return public_status.page_info()["id"]


def _group_key(group_id: int) -> str:
    # Groups and components share Statuspage's id space; ours are separate tables.
    return f"group-{group_id}"


def _component(c: dict, tz) -> dict:
    return {"id": str(c["id"]), "name": c["name"], "status": c["status"],
            "created_at": iso_local(c["created_at"], tz), "updated_at": iso_local(c["updated_at"], tz),
            "position": c["position"], "description": c["description"] or None, "showcase": True,
            "start_date": c["created_at"].astimezone(tz).date().isoformat(),
            "group_id": _group_key(c["group_id"]) if c["group_id"] else None, "page_id": _page_id(),
            "group": False, "only_show_if_degraded": False}


def _group(g: dict, members: list[dict], tz) -> dict:
    return {"id": _group_key(g["id"]), "name": g["name"],
            "status": worst_component_status(m["status"] for m in members),
            "created_at": iso_local(g["created_at"], tz), "updated_at": iso_local(g["updated_at"], tz),
            "position": g["position"], "description": g["description"] or None, "showcase": False,
            "start_date": None, "group_id": None, "page_id": _page_id(), "group": True,
            "only_show_if_degraded": False, "components": [str(m["id"]) for m in members]}


def components(rows: list[dict] | None = None) -> list[dict]:
    """Components and groups (groups as components with ``group: true``), in page order."""
    tz = public_status.page_zone()
    rows = public_status.components() if rows is None else rows
    out = [_component(c, tz) for c in rows]
    for g in public_status.groups():
        members = [c for c in rows if c["group_id"] == g["id"]]
        if members:
            out.append(_group(g, members, tz))
    return sorted(out, key=lambda c: (c["position"], c["group"], c["id"]))


def status() -> dict:
    """The page's indicator and description."""
    indicator, description = public_status.page_status()
    return {"indicator": _V2_INDICATOR.get(indicator, indicator), "description": description}


def _update(entry: dict, incident: dict, tz) -> dict:
    at = iso_local(entry["created_at"], tz)
    return {"id": str(entry["id"]), "status": entry["status"], "body": entry["body"],
            "incident_id": str(incident["id"]), "created_at": at, "updated_at": at, "display_at": at,
            "affected_components": [{"code": str(c["id"]), "name": c["name"],
                                     "old_status": c["old_status"], "new_status": c["new_status"]}
                                    for c in entry["components"]] or None,
            "deliver_notifications": entry["notify"], "custom_tweet": None, "tweet_id": None}


def _components_of(item: dict, by_id: dict[int, dict], tz) -> list[dict]:
    # Archived components are off the page: past incidents keep them, v2 lists only live ones.
    return [_component(by_id[c["id"]], tz) for c in sorted(item["components"], key=lambda c: c["id"])
            if c["id"] in by_id]


def _incident(i: dict, by_id: dict[int, dict], tz, base: str) -> dict:
    return {"id": str(i["id"]), "name": i["title"], "status": i["status"], "impact": i["impact"],
            "created_at": iso_local(i["created_at"], tz), "updated_at": iso_local(i["updated_at"], tz),
            "monitoring_at": iso_local(i["monitoring_at"], tz), "resolved_at": iso_local(i["resolved_at"], tz),
            "started_at": iso_local(i["created_at"], tz), "shortlink": f"{base}/status/incidents/{i['id']}",
            "page_id": _page_id(),
            "incident_updates": [_update(u, i, tz) for u in i["updates"]],
            "components": _components_of(i, by_id, tz)}


def _by_id() -> dict[int, dict]:
    return {c["id"]: c for c in public_status.components()}


def incidents(unresolved: bool = False, by_id: dict[int, dict] | None = None) -> list[dict]:
    """The latest public incidents (or every unresolved one), newest first."""
    tz, base, by_id = public_status.page_zone(), current_app.config["PUBLIC_BASE_URL"], by_id or _by_id()
    return [_incident(i, by_id, tz, base) for i in public_status.latest_incidents(LIST_LIMIT, unresolved)]


def _maintenance(m: dict, by_id: dict[int, dict], tz, base: str) -> dict:
    at = iso_local(m["created_at"], tz)
    key = f"maintenance-{m['id']}"
    return {"id": key, "name": m["title"], "status": m["status"], "impact": "maintenance",
            "created_at": at, "updated_at": iso_local(m["updated_at"], tz),
            "monitoring_at": None, "resolved_at": iso_local(m["completed_at"], tz),
            "started_at": iso_local(m["started_at"] or m["starts_at"], tz),
            "scheduled_for": iso_local(m["starts_at"], tz), "scheduled_until": iso_local(m["ends_at"], tz),
            "shortlink": f"{base}/status#{key}", "page_id": _page_id(),
            "incident_updates": [{"id": f"{key}-update", "status": m["status"],
                                  "body": m["description"], "incident_id": key,
                                  "created_at": at, "updated_at": at, "display_at": at,
                                  "affected_components": None, "deliver_notifications": True,
                                  "custom_tweet": None, "tweet_id": None}],
            "components": _components_of(m, by_id, tz)}


def maintenances(which: str = "all", by_id: dict[int, dict] | None = None) -> list[dict]:
    """``all`` (latest 50), ``upcoming`` (scheduled), ``active`` (in progress / verifying),
    or ``upcoming+active`` (the summary's)."""
    tz, base, by_id = public_status.page_zone(), current_app.config["PUBLIC_BASE_URL"], by_id or _by_id()
    if which == "all":
        rows = public_status.maintenance_windows(latest=LIST_LIMIT)
    else:
        windows = public_status.maintenances(utcnow())
        rows = [m for part in which.split("+") for m in windows[part]]
    return [_maintenance(m, by_id, tz, base) for m in rows]


def page() -> dict:
    """The page object, stamped with the last change to anything it shows."""
    info = public_status.page_info()
    info["updated_at"] = iso_local(public_status.last_change(), public_status.page_zone())
    return info


DOCUMENTS = ("summary", "status", "components", "incidents", "incidents/unresolved",
             "scheduled-maintenances", "scheduled-maintenances/upcoming",
             "scheduled-maintenances/active")


def document(name: str) -> dict:
    """The body of ``/api/v2/<name>.json``."""
    body = {"page": page()}
    if name == "summary":
        rows = public_status.components()
        by_id = {c["id"]: c for c in rows}
        body.update(components=components(rows), incidents=incidents(True, by_id),
                    scheduled_maintenances=maintenances("upcoming+active", by_id), status=status())
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


def webhook_body(event_type: str, payload: dict, incident_id: int | None,
                 maintenance_id: int | None) -> dict | None:
    """Statuspage's webhook body for an event, without ``meta`` (None: nothing public to send).

    Incidents and maintenance windows go out as ``incident`` (a v2 incident with its
    ``incident_updates``); component changes as ``component_update`` + ``component``.
    """
    tz, base = public_status.page_zone(), current_app.config["PUBLIC_BASE_URL"]
    current = status()
    body = {"page": {"id": _page_id(), "status_indicator": current["indicator"],
                     "status_description": current["description"]}}
    try:
        if event_type == "COMPONENT_STATUS_CHANGED":
            component = public_status.component(payload["component"]["id"])
            change = payload.get("change") or {}
            body["component_update"] = {
                "created_at": change.get("at") or iso_local(component["updated_at"], tz),
                "new_status": payload["to"], "old_status": payload["from"],
                "id": str(change.get("id", "")), "component_id": str(component["id"])}
            body["component"] = _component(component, tz)
        elif event_type.startswith("MAINTENANCE_") and maintenance_id is not None:
            body["incident"] = _maintenance(public_status.maintenance_record(maintenance_id),
                                            _by_id(), tz, base)
        elif incident_id is not None:
            body["incident"] = _incident(public_status.incident_detail(incident_id), _by_id(), tz, base)
        else:
            return None
    except NotFound:
        return None
    return body
