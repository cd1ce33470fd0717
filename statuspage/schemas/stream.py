"""Query parameters of the SSE endpoints (documentation only: a bad id means RESYNC, not 422)."""
from __future__ import annotations

from marshmallow import Schema, fields


class StreamArgs(Schema):
    last_event_id = fields.String(metadata={
        "description": "Resume after this event id (for clients that cannot send the "
                       "Last-Event-ID header). An unknown or expired id yields one RESYNC event.",
        "example": "1718000000000-0"})
