"""Bodies for the HTTP channels, rendered once per event at fan-out and kept on the event.

Retries and every recipient reuse them: a webhook recipient adds only its own
``meta`` (unsubscribe link) and signature, a chat integration nothing at all.
The webhook body is kept as JSON text without its opening brace, so adding
``meta`` is a string concatenation, not a re-serialisation per recipient.
"""
from __future__ import annotations

import json

from flask import current_app

from .. import statuspage_v2
from ..email import content as email_content
from . import chat


def webhook_tail(event) -> str | None:
    """The Statuspage webhook body of an event, as JSON text after ``{"meta": ...,``."""
    body = statuspage_v2.webhook_body(event.event_type, event.public_payload or {},
                                      event.incident_id, event.maintenance_id)
    return None if body is None else json.dumps(body, separators=(",", ":"))[1:]


def webhook_body(tail: str, unsubscribe_url: str) -> bytes:
    """A recipient's full body: its ``meta`` then the event's rendered part."""
    meta = {"unsubscribe": unsubscribe_url,
            "documentation": current_app.config["PUBLIC_BASE_URL"] + "/api/openapi.json"}
    return ('{"meta":' + json.dumps(meta, separators=(",", ":")) + "," + tail).encode()


def chat_bodies(conn, event, internal: bool = False) -> dict:
    """Slack and Teams bodies for an event that email subscribers also hear of (or, for
    ``internal`` ones, only integrations that asked for internal news)."""
    ctx = email_content.Builder(conn).event_context(event)
    title = ("[internal] " if internal else "") + email_content.subject_for(event.event_type,
                                                                            event.public_payload)
    return {kind: build(title, ctx) for kind, build in chat.BUILDERS.items()}


def render(conn, event, channels: set[str], internal: bool = False) -> dict:
    """What the event's HTTP deliveries on ``channels`` send."""
    out = {}
    if "webhook" in channels:
        out["webhook"] = webhook_tail(event)
    if channels & set(chat.BUILDERS):
        out.update(chat_bodies(conn, event, internal))
    return out
