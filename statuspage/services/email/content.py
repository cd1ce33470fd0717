"""What each email says: subjects and MIME messages from templates/email/*.txt|html.

Only an outbox event's ``public_payload`` feeds a notification, so nothing
internal (authors, internal notes, emails) can ever reach a subscriber.
"""
from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Optional
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import Connection, select

from ...domain.statuses import label
from ...markdown import EMAIL, plain, render
from ...models import Component, MaintenanceComponent, utcnow
from .. import outbox, tokens
from .mime import Outgoing

_MAINTENANCE = {
    "MAINTENANCE_SCHEDULED": "Scheduled maintenance",
    "MAINTENANCE_STARTED": "Maintenance in progress",
    "MAINTENANCE_COMPLETED": "Maintenance completed",
}
_TEMPLATE = {"POSTMORTEM_PUBLISHED": "postmortem", **{k: "maintenance" for k in _MAINTENANCE}}


class ContentMissing(Exception):
    """The event behind a delivery is gone; the message cannot be built."""


def markdown_html(text: str) -> str:
    """A notification body's Markdown as sanitised HTML."""
    return str(render(text, EMAIL))


def when(value) -> str:
    """An ISO time (or datetime) as ``YYYY-MM-DD HH:MM UTC`` for email text."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def maintenance_of(payload: dict) -> dict:
    """The maintenance part of an event payload."""
    return payload.get("maintenance") or payload


def subject_for(event_type: str, payload: dict) -> str:
    """Subject with severity and status, e.g. ``[Acme] SEV2 Identified: Checkout errors``."""
    page = current_app.config["PAGE_NAME"]
    if event_type in _MAINTENANCE:
        return f"[{page}] {_MAINTENANCE[event_type]}: {maintenance_of(payload).get('title', '')}"[:300]
    incident = payload.get("incident") or {}
    head = f"[{page}] {incident.get('severity', '')} {label(incident.get('status'))}"
    if event_type == "POSTMORTEM_PUBLISHED":
        head += " - Postmortem published"
    return f"{head}: {incident.get('title', '')}"[:300]


def message_id(row) -> str:
    """The delivery's Message-ID, the same on every attempt so receivers can de-duplicate."""
    host = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "localhost"
    return f"<delivery-{row.id}.{int(row.created_at.timestamp())}@{host}>"


class Builder:
    """Builds messages for one batch, loading each event's public payload once."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.config = current_app.config
        self.events: dict[int, dict] = {}

    def _event_context(self, event_id: int) -> dict:
        if event_id not in self.events:
            event = outbox.public_content(self.conn, event_id)
            if event is None or event.public_payload is None:
                raise ContentMissing(f"event {event_id} has no public content")
            self.events[event_id] = self._context_for(event)
        return self.events[event_id]

    def _component_names(self, maintenance_id: Optional[int], maintenance: dict) -> list[str]:
        named = [c.get("name") for c in maintenance.get("components") or [] if isinstance(c, dict)]
        if named and all(named):
            return named
        if maintenance_id is None:
            return []
        return list(self.conn.execute(
            select(Component.name).join(MaintenanceComponent,
                                        MaintenanceComponent.component_id == Component.id)
            .where(MaintenanceComponent.maintenance_id == maintenance_id)
            .order_by(Component.position, Component.id)).scalars())

    def _context_for(self, event) -> dict:
        payload, base = event.public_payload, self.config["PUBLIC_BASE_URL"]
        ctx = {"event_type": event.event_type, "template": _TEMPLATE.get(event.event_type, "incident")}
        if event.event_type in _MAINTENANCE:
            maintenance = maintenance_of(payload)
            ctx.update(maintenance=maintenance, headline=_MAINTENANCE[event.event_type],
                       components=self._component_names(event.maintenance_id, maintenance),
                       description_html=markdown_html(maintenance.get("description", "")),
                       description=plain(maintenance.get("description", "")),
                       starts=when(maintenance.get("starts_at")), ends=when(maintenance.get("ends_at")),
                       link=f"{base}/status")
            return ctx
        incident = payload.get("incident") or {}
        update = payload.get("update") or {}
        postmortem = payload.get("postmortem") or {}
        link = f"{base}/status/incidents/{incident.get('id')}"
        text = postmortem.get("summary", "") if postmortem else update.get("body", "")
        ctx.update(incident=incident, update=update, postmortem=postmortem,
                   previous_status=label(payload.get("previous_status")),
                   status=label(incident.get("status")), text=plain(text), text_html=markdown_html(text),
                   posted=when(update.get("created_at") or incident.get("updated_at")),
                   components=[c.get("name", "") for c in incident.get("components") or []],
                   link=link + ("#postmortem" if event.event_type == "POSTMORTEM_PUBLISHED" else ""))
        return ctx

    def _render(self, name: str, ctx: dict) -> tuple[str, str]:
        env = current_app.jinja_env
        return (env.get_template(f"email/{name}.txt").render(ctx),
                env.get_template(f"email/{name}.html").render(ctx))

    def build(self, row) -> Outgoing:
        """The MIME message for a claimed delivery row."""
        ctx = {"page_name": self.config["PAGE_NAME"], "base_url": self.config["PUBLIC_BASE_URL"],
               "subject": row.subject, "to": row.to_address}
        headers = {}
        if row.kind == "notification":
            ctx.update(self._event_context(row.event_id))
            unsubscribe = tokens.url("unsubscribe", row.subscriber_id, row.to_address)
            ctx.update(unsubscribe_url=unsubscribe,
                       manage_url=tokens.url("manage", row.subscriber_id, row.to_address))
            headers = {"List-Unsubscribe": f"<{unsubscribe}>",
                       "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
            name = ctx["template"]
        elif row.kind == "confirmation":
            ctx.update(confirm_url=tokens.url("confirm", row.subscriber_id, row.to_address),
                       days=self.config["TOKEN_MAX_AGE_CONFIRM"] // 86400)
            name = "confirm"
        else:
            name = "test"
        text, html = self._render(name, ctx)
        return compose(row, text, html, headers)


def compose(row, text: str, html: str, extra_headers: dict) -> Outgoing:
    """multipart/alternative: the text part, then the HTML part."""
    config = current_app.config
    headers = {
        "Subject": row.subject,
        "From": config["MAIL_DEFAULT_SENDER"],
        "To": row.to_address,
        "Date": format_datetime(utcnow()),
        "Message-ID": message_id(row),
        "Auto-Submitted": "auto-generated",
        **extra_headers,
    }
    return Outgoing(headers, text.rstrip("\n") + "\n", html)
