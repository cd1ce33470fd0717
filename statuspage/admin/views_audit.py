"""The audit log with filters (actor, action, target) and keyset paging."""
from __future__ import annotations

from flask import render_template, request, url_for
from marshmallow import EXCLUDE

from ..schemas.audit import AuditListArgs
from ..services import audit, users
from .blueprint import bp
from .helpers import requires

FILTERS = ("actor", "action_prefix", "target_type", "target_id")


@bp.get("/audit", endpoint="audit")
@requires("admin")
def audit_page():
    raw = {k: v for k, v in request.args.items() if v != "" and k in FILTERS + ("cursor",)}
    args = AuditListArgs(unknown=EXCLUDE).load(raw)
    limit, cursor = args.pop("limit"), args.pop("cursor", None)
    events, next_cursor = audit.list_events(args, limit, cursor)
    return render_template("admin/audit.html", events=events, next_cursor=next_cursor,
                           filters={k: raw.get(k, "") for k in FILTERS}, people=users.list_users(),
                           changes={e.id: field_changes(e.before, e.after) for e in events})


# Where a target can be seen in the console.
_TARGET_PAGES = {"incident": ("admin.incident", "incident_id"), "component": ("admin.components", None),
                 "component_group": ("admin.components", None), "maintenance": ("admin.maintenance", None),
                 "template": ("admin.templates", None), "user": ("admin.users", None),
                 "settings": ("admin.settings", None), "subscriber": ("admin.subscribers", None)}


def target_url(target_type: str, target_id) -> str | None:
    """The console page of an audit event's target, when there is one."""
    endpoint = _TARGET_PAGES.get(target_type)
    if endpoint is None:
        return None
    name, arg = endpoint
    if arg is None:
        return url_for(name)
    return url_for(name, **{arg: int(target_id)}) if str(target_id or "").isdigit() else None


def field_changes(before: dict | None, after: dict | None) -> list[tuple[str, object, object]]:
    """``(field, before, after)`` per changed field, in a stable order."""
    before, after = before or {}, after or {}
    return [(key, before.get(key), after.get(key)) for key in sorted(set(before) | set(after))]
