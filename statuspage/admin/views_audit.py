"""The audit log with filters (actor, action, target) and keyset paging."""
from __future__ import annotations

from flask import render_template, request
from marshmallow import EXCLUDE

from ..schemas.audit import AuditListArgs
from ..services import audit
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
                           filters={k: raw.get(k, "") for k in FILTERS})
