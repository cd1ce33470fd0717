"""HTML form fields → the dicts the API input schemas accept.

The schemas stay the single source of validation; these helpers only undo
what HTML forms cannot express (lists, booleans, empty meaning absent).
"""
from __future__ import annotations

from datetime import datetime, timezone, tzinfo

from marshmallow import Schema
from werkzeug.datastructures import MultiDict

from ..domain.statuses import COMPONENT_STATUSES

IMPACT_PREFIX = "impact-"


def impacts(form: MultiDict) -> list[dict]:
    """``impact-<component id>=<status>`` selects; an empty choice means not affected."""
    found = []
    for key, value in form.items():
        if key.startswith(IMPACT_PREFIX) and value:
            raw_id = key[len(IMPACT_PREFIX):]
            if not raw_id.isdigit() or value not in COMPONENT_STATUSES:
                found.append({"id": raw_id, "status": value})  # the schema names the error
            else:
                found.append({"id": int(raw_id), "status": value})
    return found


def tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def ids(form: MultiDict, name: str) -> list:
    return [int(v) if v.isdigit() else v for v in form.getlist(name)]


def checked(form: MultiDict, name: str) -> bool:
    return form.get(name) in ("on", "true", "1", "yes")


def when(value: str | None, tz: tzinfo = timezone.utc) -> str | None:
    """``<input type=datetime-local>`` gives ``2030-01-01T10:00``, a wall time in ``tz``
    (the page's zone, which the form shows); the schema gets it with its UTC offset."""
    value = (value or "").strip()
    if not value or value.endswith("Z") or "+" in value[10:]:
        return value or None
    try:
        wall = datetime.fromisoformat(value)
    except ValueError:
        return value  # the schema names the error
    return wall.replace(tzinfo=tz).astimezone(timezone.utc).isoformat() if wall.tzinfo is None else value


def optional(form: MultiDict, *names: str) -> dict:
    """Only the named fields that were sent (empty text stays: it may clear a field)."""
    return {n: form[n] for n in names if n in form}


def load(schema: type[Schema], data: dict) -> dict:
    return schema().load(data)
