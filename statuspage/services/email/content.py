"""What each email says: subjects and MIME messages from templates/email/*.txt|html.

Only an outbox event's ``public_payload`` feeds a notification, so nothing
internal (authors, internal notes, emails) can ever reach a subscriber.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from functools import lru_cache
from datetime import datetime, timezone
from typing import Optional
from urllib.parse import urlsplit

from flask import current_app, template_rendered
from flask_babel import force_locale, get_locale, gettext, ngettext
from markupsafe import escape
from sqlalchemy import Connection, select

from ...domain.locales import N_, canonical
from ...domain.statuses import IMPACT_LABEL, SEVERITY_IMPACT, label
from ...i18n import localised_moment
from ...markdown import EMAIL, plain, render
from ...outbound import redact_url
from ...models import Component, MaintenanceComponent, utcnow
from .. import outbox, settings, tokens
from .mime import Body, Outgoing, date_header, wire_address

_MAINTENANCE = {
    "MAINTENANCE_SCHEDULED": N_("Scheduled maintenance"),
    "MAINTENANCE_STARTED": N_("Maintenance in progress"),
    "MAINTENANCE_COMPLETED": N_("Maintenance completed"),
}
_TEMPLATE = {"POSTMORTEM_PUBLISHED": "postmortem", **{k: "maintenance" for k in _MAINTENANCE}}


class ContentMissing(Exception):
    """The event behind a delivery is gone; the message cannot be built."""


def markdown_html(text: str) -> str:
    """A notification body's Markdown as sanitised HTML."""
    return str(render(text, EMAIL))


def when(value) -> str:
    """An ISO time (or datetime) in UTC for email text, in the current locale
    (``2026-11-27 14:05 UTC`` in English, ``2026年11月27日 14:05 UTC`` in Japanese)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    locale = get_locale()
    if locale is None or str(locale) == "en":
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    utc = moment.astimezone(timezone.utc) if moment.tzinfo else moment
    return f"{localised_moment(utc, locale)} UTC"


def status_words(status: Optional[str]) -> str:
    """A status value in the current locale's words (``identified`` -> ``Identifiziert``)."""
    return gettext(label(status)) if status else ""


def maintenance_of(payload: dict) -> dict:
    """The maintenance part of an event payload."""
    return payload.get("maintenance") or payload


def subject_for(event_type: str, payload: dict, locale: str = "en") -> str:
    """Subject with impact and status in ``locale``, e.g. ``[Acme] Major impact, identified: Checkout errors``."""
    page = settings.current()["page_name"]
    with force_locale(locale):
        if event_type in _MAINTENANCE:
            return f"[{page}] {gettext(_MAINTENANCE[event_type])}: {maintenance_of(payload).get('title', '')}"[:300]
        incident = payload.get("incident") or {}
        impact = IMPACT_LABEL.get(incident.get("impact") or SEVERITY_IMPACT.get(incident.get("severity"), ""), "")
        status = status_words(incident.get("status"))
        head = f"[{page}] {gettext(impact)}, {status.lower()}" if impact else f"[{page}] {status}"
        if event_type == "POSTMORTEM_PUBLISHED":
            head += " - " + gettext("Postmortem published")
        return f"{head}: {incident.get('title', '')}"[:300]


def in_locale(locale: Optional[str], message: str, **variables) -> str:
    """``message`` (marked with ``N_`` where defined) in ``locale``, English when unknown."""
    with force_locale(canonical(locale) or "en"):
        return gettext(message, **variables)


def digest_subject(page: str, count: int, locale: str = "en") -> str:
    """A daily digest's subject in ``locale``, e.g. ``[Acme] Daily digest: 3 updates``."""
    with force_locale(canonical(locale) or "en"):
        return f"[{page}] " + ngettext("Daily digest: %(num)d update", "Daily digest: %(num)d updates", count)


def message_id(row) -> str:
    """The delivery's Message-ID, the same on every attempt so receivers can de-duplicate."""
    return f"<delivery-{row.id}.{int(row.created_at.timestamp())}@{_host(current_app.config['PUBLIC_BASE_URL'])}>"


@lru_cache(maxsize=8)
def _host(base_url: str) -> str:
    return urlsplit(base_url).hostname or "localhost"


def _text_part(text: str) -> str:
    return text.rstrip("\n") + "\n"


# Fields that differ per recipient: messages are rendered once per event and
# locale with these markers, then each recipient's values are put in.
_PERSONAL = ("to", "subject", "unsubscribe_url", "manage_url")
_RENDERED_MAX = 64
_rendered: OrderedDict[tuple, tuple[Body, Body]] = OrderedDict()
_rendered_lock = threading.Lock()
_key_locks: dict[tuple, threading.Lock] = {}


def _marker(name: str) -> str:
    return f"@@{name.upper()}@@"


def _personalise(text: Body, html: Body, values: dict) -> tuple[bytes, bytes]:
    filled = {_marker(name): str(values.get(name) or "") for name in _PERSONAL}
    return (text.encode(filled),
            html.encode({marker: str(escape(value)) for marker, value in filled.items()}))


class Builder:
    """Builds messages for one batch, loading each event's public payload once.

    A notification is rendered once per event and locale in this process (the
    lanes of a send job, and later batches of the same fan-out, reuse it); only
    the recipient's address and links are filled in per message.
    """

    def __init__(self, conn: Connection, page: Optional[dict] = None):
        self.conn = conn
        self.config = current_app.config
        # Read once (outside a request each read is a query), or handed in by the caller.
        page = page or settings.current()
        self.page_name = page["page_name"]
        self._settings_digest = hashlib.blake2b(json.dumps(page, sort_keys=True, default=str)
                                                .encode(), digest_size=16).hexdigest()
        self.events: dict[int, dict] = {}

    def _event_context(self, event_id: int) -> dict:
        if event_id not in self.events:
            event = outbox.public_content(self.conn, event_id)
            if event is None or event.public_payload is None:
                raise ContentMissing(f"event {event_id} has no public content")
            digest = hashlib.blake2b(json.dumps([event_id, event.event_type, event.public_payload],
                                                sort_keys=True, default=str).encode(),
                                     digest_size=16).hexdigest()
            self.events[event_id] = {**self._context_for(event), "digest": digest}
        return self.events[event_id]

    def event_context(self, event) -> dict:
        """What a notification about ``event`` (an outbox row) says, for any channel, with
        statuses and times already in (English) words: chat messages are not templates."""
        ctx = self._context_for(event)
        with force_locale("en"):
            shown = {key: label(ctx[key]) for key in ("status", "previous_status") if key in ctx}
            shown.update({key: when(ctx[key]) for key in ("starts", "ends", "posted") if key in ctx})
        if "text" in ctx:  # chat converts the Markdown itself; the email's text part is plain
            shown["text"] = (ctx["postmortem"].get("summary", "") if ctx["postmortem"]
                             else ctx["update"].get("body", ""))
        return {**ctx, **shown}

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
                       description=plain(maintenance.get("description", "")),
                       description_html=markdown_html(maintenance.get("description", "")),
                       starts=maintenance.get("starts_at"), ends=maintenance.get("ends_at"),
                       link=f"{base}/status")
            return ctx
        incident = payload.get("incident") or {}
        update = payload.get("update") or {}
        postmortem = payload.get("postmortem") or {}
        link = f"{base}/status/incidents/{incident.get('id')}"
        text = postmortem.get("summary", "") if postmortem else update.get("body", "")
        ctx.update(incident=incident, update=update, postmortem=postmortem,
                   previous_status=payload.get("previous_status"),
                   status=incident.get("status"), text=plain(text), text_html=markdown_html(text),
                   posted=update.get("created_at") or incident.get("updated_at"),
                   components=[c.get("name", "") for c in incident.get("components") or []],
                   link=link + ("#postmortem" if event.event_type == "POSTMORTEM_PUBLISHED" else ""))
        return ctx

    @staticmethod
    def _render(name: str, ctx: dict, locale: str) -> tuple[str, str]:
        app = current_app._get_current_object()
        ctx = {**ctx, "when": when, "status_words": status_words, "html_lang": locale.replace("_", "-")}
        parts = []
        with force_locale(locale):
            for suffix in ("txt", "html"):
                template = app.jinja_env.get_template(f"email/{name}.{suffix}")
                parts.append(template.render(ctx))
                # Announced like a page render, so observers count email renders too.
                template_rendered.send(app, _async_wrapper=app.ensure_sync, template=template,
                                       context=ctx)
        return parts[0], parts[1]

    def _notification(self, ctx: dict, locale: str) -> tuple[Body, Body]:
        # Keyed by the page settings too: a rename or a new accent must not reuse an old render.
        key = (ctx["digest"], locale, self._settings_digest, ctx["base_url"])
        with _rendered_lock:
            held = _rendered.get(key)
            key_lock = _key_locks.setdefault(key, threading.Lock())
        if held is not None:
            return held
        with key_lock:  # the other lanes wait for this render instead of repeating it
            with _rendered_lock:
                held = _rendered.get(key)
            if held is None:
                text, html = self._render(ctx["template"], {**ctx, **{n: _marker(n) for n in _PERSONAL}},
                                          locale)
                markers = [_marker(n) for n in _PERSONAL]
                held = Body(_text_part(text), markers), Body(html, markers)
                with _rendered_lock:
                    _rendered[key] = held
                    while len(_rendered) > _RENDERED_MAX:
                        _key_locks.pop(_rendered.popitem(last=False)[0], None)
        return held

    def _digest_items(self, event_ids: list[int]) -> list[dict]:
        items = []
        for event_id in event_ids:
            try:
                items.append(self._event_context(event_id))
            except ContentMissing:
                continue  # deleted since: the rest of the digest still goes out
        return items

    def build(self, row) -> Outgoing:
        """The MIME message for a claimed delivery row, in its subscriber's locale."""
        locale = canonical(getattr(row, "locale", None)) or "en"
        ctx = {"page_name": self.page_name, "base_url": self.config["PUBLIC_BASE_URL"],
               "subject": row.subject, "to": row.to_address}
        headers = {}
        if row.kind == "notification":
            event = self._event_context(row.event_id)
            unsubscribe = tokens.url("unsubscribe", row.subscriber_id, row.to_address)
            ctx.update(unsubscribe_url=unsubscribe,
                       manage_url=tokens.url("manage", row.subscriber_id, row.to_address))
            headers = {"List-Unsubscribe": f"<{unsubscribe}>",
                       "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
            text, html = _personalise(*self._notification({**ctx, **event}, locale), ctx)
            return compose(row, text, html, headers)
        if row.kind == "confirmation":
            ctx.update(confirm_url=tokens.url("confirm", row.subscriber_id, row.to_address),
                       days=self.config["TOKEN_MAX_AGE_CONFIRM"] // 86400,
                       endpoint=getattr(row, "endpoint", None))
            name = "confirm"
        elif row.kind == "digest":
            ctx.update(items=self._digest_items(row.digest_events or []),
                       unsubscribe_url=tokens.url("unsubscribe", row.subscriber_id, row.to_address),
                       manage_url=tokens.url("manage", row.subscriber_id, row.to_address))
            if not ctx["items"]:
                raise ContentMissing("every event of the digest is gone")
            name = "digest"
        elif row.kind == "webhook_disabled":
            ctx.update(endpoint=redact_url(row.endpoint or ""),
                       failures=self.config["WEBHOOK_MAX_FAILURES"])
            name = "webhook_disabled"
        else:
            name = "test"
        text, html = self._render(name, ctx, locale)
        return compose(row, text, html, headers)


def compose(row, text, html, extra_headers: dict) -> Outgoing:
    """multipart/alternative: the text part, then the HTML part (each a str, or the
    bytes :meth:`Body.encode` made)."""
    config = current_app.config
    headers = {
        "Subject": row.subject,
        "From": config["MAIL_DEFAULT_SENDER"],
        "To": wire_address(row.to_address),
        "Date": date_header(utcnow()),
        "Message-ID": message_id(row),
        "Auto-Submitted": "auto-generated",
        **extra_headers,
    }
    return Outgoing(headers, _text_part(text) if isinstance(text, str) else text, html)
