"""The audit trail."""
from __future__ import annotations

from ..schemas.audit import AuditEventSchema, AuditListArgs, AuditPageSchema
from ..services import audit
from .blueprint import bp
from .endpoint import endpoint


@bp.get("/audit")
@endpoint("Audit trail, newest first (cursor pagination)", role="admin", args=AuditListArgs,
          response=AuditPageSchema, errors=(401, 403, 422), tags=("audit",))
def list_audit(args):
    limit, cursor = args.pop("limit"), args.pop("cursor", None)
    events, next_cursor = audit.list_events(args, limit, cursor)
    return {"items": AuditEventSchema(many=True).dump(events), "next_cursor": next_cursor}
