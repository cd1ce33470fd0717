"""The public read model's dicts as JSON: for the public API and the page's live script."""
from __future__ import annotations

from datetime import date, datetime, timezone


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
        "maintenances": {"active": [{"id": m["id"], "title": m["title"]} for m in data["maintenances"]["active"]]},
        "components": [{k: c[k] for k in ("id", "name", "status", "group_id")} for c in data["components"]],
        "incidents": [{**{k: i[k] for k in ("id", "title", "status", "severity", "impact", "created_at",
                                             "next_update_at", "components")},
                       "latest_update": i["latest_update"] and {
                           k: i["latest_update"][k] for k in ("status", "body", "body_html", "created_at")}}
                      for i in data["incidents"]],
    })
