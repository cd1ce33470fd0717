"""Email subscribers: subscribe (double opt-in), confirm, change scope, leave.

Subscribers act only through signed links (see :mod:`tokens`). A mailbox, however
its address is spelled, holds one page-level subscription (scope ``all`` or
``components``) plus one per incident it follows; fan-out sends one email per
mailbox anyway, and leaving stops every one of them. A confirmed subscriber's new
choice waits in ``requested_change`` until the mailbox confirms it, so nobody can
change someone else's subscription by typing their address.
"""
from __future__ import annotations

from typing import Iterable, Optional

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..domain.locales import N_, canonical
from ..domain.subscribers import mailbox_key, subscriber_status as status_of
from ..errors import NotFound, RateLimited, ValidationFailed
from ..extensions import db
from ..models import Component, Incident, Subscriber, SubscriberComponent, utcnow
from . import audit, components, outbox, ratelimit, secretbox, settings, tokens
from .channels import signing
from .email import content, deliveries, digests
from .context import Actor
from .pagination import Page, contains, paginate

PAGE_SCOPES = ("all", "components")


def normalise_email(raw: str) -> str:
    """Syntax check only (no DNS), domain lower-cased, at most 254 characters."""
    try:
        address = validate_email(raw.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationFailed({"email": [str(exc)]}) from None
    if len(address) > 254:
        raise ValidationFailed({"email": ["An email address has at most 254 characters."]})
    return address


def _actor(sub: Subscriber) -> Actor:
    return Actor(type="subscriber", id=sub.id, label=f"subscriber {sub.id}", role="viewer")


def _snapshot(sub: Subscriber) -> dict:
    return {"email": sub.email, "scope": sub.scope, "incident_id": sub.incident_id,
            "component_ids": sorted(c.component_id for c in sub.components),
            "status": status_of(sub), "channel": sub.channel, "mode": sub.mode,
            **({"endpoint": sub.endpoint} if sub.endpoint else {})}


snapshot = _snapshot
actor_of = _actor  # how a subscriber appears in the audit trail


def _event(action: str, sub: Subscriber) -> None:
    # Admin-only (no public payload, no email): the console sees subscriber changes live.
    outbox.record(f"SUBSCRIBER_{action}", {"subscriber": {
        "id": sub.id, "scope": sub.scope, "status": status_of(sub)}})


def target(incident_id: Optional[int], component_ids: Optional[list[int]]) -> tuple[str, list[int]]:
    """The scope a request asks for and its component ids (validated)."""
    if incident_id is not None and component_ids:
        raise ValidationFailed({"incident_id": ["Give either incident_id or component_ids."]})
    if incident_id is not None:
        incident = db.session.get(Incident, incident_id)
        if incident is None or incident.visibility != "public":
            raise ValidationFailed({"incident_id": [f"Unknown incident id: {incident_id}"]})
        return "incident", []
    if component_ids:
        return "components", sorted(components.get_many(component_ids, "component_ids"))
    return "all", []


def check_limits(address: str, ip: Optional[str]) -> None:
    """Per-client and per-mailbox limits on subscription requests (429 past them)."""
    config = current_app.config
    limit, window = config["SUBSCRIBE_LIMIT_PER_IP"]
    if ip and (wait := ratelimit.hit("subscribe-ip", ip, limit, window)):
        raise RateLimited("Too many subscription requests from this address; try later.", wait)
    limit, window = config["SUBSCRIBE_LIMIT_PER_ADDRESS"]
    if wait := ratelimit.hit("subscribe-email", mailbox_key(address), limit, window):
        raise RateLimited("Too many confirmation emails for this address today; try later.", wait)


def _existing(key: str, scope: str, incident_id: Optional[int]) -> Optional[Subscriber]:
    stmt = select(Subscriber).where(Subscriber.email_key == key, Subscriber.channel == "email")
    if scope == "incident":
        stmt = stmt.where(Subscriber.scope == "incident", Subscriber.incident_id == incident_id)
    else:
        stmt = stmt.where(Subscriber.scope.in_(PAGE_SCOPES))
    return db.session.scalar(stmt)


def _live(sub: Subscriber) -> bool:
    return status_of(sub) == "confirmed"


def _requested_row(address: str, scope: str, incident_id: Optional[int], ids: list[int]) -> Subscriber:
    """The mailbox's row for this request: new, reset while not live, or left as it is
    (with the change waiting for confirmation) while live."""
    key = mailbox_key(address)
    row = _existing(key, scope, incident_id)
    if row is None:
        row = Subscriber(email=address, scope=scope, incident_id=incident_id)
        row.components = [SubscriberComponent(component_id=i) for i in ids]
        try:
            with db.session.begin_nested():  # a concurrent twin request may insert it first
                db.session.add(row)
            return row
        except IntegrityError:
            row = _existing(key, scope, incident_id)
    if _live(row):
        current = (row.scope, sorted(c.component_id for c in row.components))
        wanted = (scope, ids)
        row.requested_change = None if current == wanted else {"scope": scope, "component_ids": ids}
        return row
    row.email, row.scope, row.incident_id, row.confirmed_at = address, scope, incident_id, None
    row.components = [SubscriberComponent(component_id=i) for i in ids]
    row.requested_change = None
    return row


def subscribe(address: str, *, incident_id: Optional[int] = None,
              component_ids: Optional[list[int]] = None, ip: Optional[str] = None,
              mode: Optional[str] = None, locale: str = "en") -> None:
    """Record the request and queue a confirmation email; the caller answers the same
    whatever the address's state, so nobody learns who is subscribed.

    ``locale`` is the language the request was made in: the mailbox's emails use it.
    """
    address = normalise_email(address)
    scope, ids = target(incident_id, component_ids)
    check_limits(address, ip)
    row = _requested_row(address, scope, incident_id, ids)
    locale = canonical(locale) or "en"
    if row.confirmed_at is None:  # a live subscription changes language on its manage page only
        row.locale = locale
    if mode is not None and not _live(row):
        row.mode = mode  # a live subscriber changes its mode on the manage page
    db.session.flush()
    audit.record(_actor(row), "subscriber.requested", "subscriber", row.id,
                 after={**_snapshot(row), "requested": {"scope": scope, "component_ids": ids}})
    _event("REQUESTED", row)
    deliveries.create("confirmation", address, confirmation_subject(locale), subscriber_id=row.id)


def confirmation_subject(locale: str) -> str:
    """The subject of an email address's confirmation email, in ``locale``."""
    return content.in_locale(locale, N_("Confirm your subscription to %(page)s status updates"),
                             page=settings.current()["page_name"])


def from_token(purpose: str, token: str) -> Subscriber:
    """The subscriber a link names; raises tokens.InvalidToken when it no longer applies."""
    data = tokens.load(purpose, token)
    sub = db.session.get(Subscriber, data.subscriber_id)
    if sub is None or tokens.email_digest(sub.email) != data.email_digest:
        raise tokens.InvalidToken("invalid")
    # A confirmation link from before the person left does not bring them back
    # (token timestamps have whole-second resolution).
    if (purpose == "confirm" and sub.unsubscribed_at
            and data.issued_at < sub.unsubscribed_at.replace(microsecond=0)):
        raise tokens.InvalidToken("expired")
    return sub


def _apply_requested_change(sub: Subscriber) -> None:
    change, sub.requested_change = sub.requested_change, None
    if not change:
        return
    ids = [] if change["scope"] != "components" else list(db.session.scalars(
        select(Component.id).where(Component.id.in_(change["component_ids"]), Component.active)))
    if change["scope"] == "components" and not ids:
        return  # every chosen component is gone since: keep what the subscriber has
    sub.scope = change["scope"]
    sub.components = [SubscriberComponent(component_id=i) for i in sorted(ids)]


def confirm(token: str) -> Subscriber:
    """Confirm the subscription a confirmation link names (pressing twice is harmless)."""
    sub = from_token("confirm", token)
    if _live(sub) and not sub.requested_change:
        return sub  # already confirmed: pressing twice is harmless
    before, now = _snapshot(sub), utcnow()
    _apply_requested_change(sub)
    # Clicking the link proves the mailbox works again, so a suppression ends here.
    if not _live(sub):
        sub.confirmed_at = now
        if sub.channel == "webhook":
            # The signing secret is made now and shown once, on the page that confirmed.
            sub.plain_secret = signing.new_secret()
            sub.secret_encrypted = secretbox.encrypt(sub.plain_secret)
            sub.disabled_at, sub.consecutive_failures = None, 0
    sub.unsubscribed_at, sub.suppressed_at, sub.updated_at = None, None, now
    db.session.flush()
    audit.record(_actor(sub), "subscriber.confirmed", "subscriber", sub.id,
                 before=before, after=_snapshot(sub))
    _event("CONFIRMED", sub)
    return sub


def _page_row_for(sub: Subscriber) -> Subscriber:
    """Scope choices belong to the mailbox's page-level row: an incident follow's manage
    link reaches it (taking over the follow's consent) or becomes it when there is none."""
    if sub.scope in PAGE_SCOPES:
        return sub
    page = _existing(sub.email_key, "all", None)
    if page is None:
        return sub
    if _live(sub) and not _live(page):
        page.confirmed_at, page.unsubscribed_at, page.suppressed_at = sub.confirmed_at, None, None
    return page


def change_scope(token: str, scope: str, component_ids: Iterable[int],
                 mode: Optional[str] = None, locale: Optional[str] = None) -> Subscriber:
    """Set the mailbox's page-level scope (how often it hears and its language, if given)
    from a manage link; returns the row changed. The language applies to every row of the
    mailbox."""
    sub = _page_row_for(from_token("manage", token))
    if canonical(locale):
        for row in db.session.scalars(select(Subscriber).where(Subscriber.email_key == sub.email_key)):
            row.locale = canonical(locale)
    ids = sorted(components.get_many(component_ids, "component_ids")) if scope == "components" else []
    if scope == "components" and not ids:
        raise ValidationFailed({"component_ids": ["Choose at least one component."]})
    before, now = _snapshot(sub), utcnow()
    sub.scope, sub.incident_id, sub.updated_at = scope, None, now
    sub.components = [SubscriberComponent(component_id=i) for i in ids]
    sub.requested_change = None
    if mode is not None and mode != sub.mode:
        sub.mode = mode
        # A new daily subscriber's first digest starts from now, not from the beginning.
        sub.digest_event_id, sub.last_digest_at = (digests.start_cursor(), now) if mode == "daily" else (None, None)
    db.session.flush()
    b, a = audit.diff(before, _snapshot(sub))
    if a:
        audit.record(_actor(sub), "subscriber.scope_changed", "subscriber", sub.id, before=b, after=a)
        _event("UPDATED", sub)
    return sub


def unsubscribe(purpose: str, token: str) -> Subscriber:
    """Leave: every subscription of the address stops (idempotent)."""
    sub = from_token(purpose, token)
    now = utcnow()
    # A webhook's link stops that endpoint only, never its owner's email subscriptions.
    same = (Subscriber.endpoint == sub.endpoint) if sub.channel == "webhook" else \
        (Subscriber.email_key == sub.email_key)
    live = list(db.session.scalars(select(Subscriber).where(
        same, Subscriber.channel == sub.channel, Subscriber.unsubscribed_at.is_(None))))
    for row in live:
        row.unsubscribed_at, row.updated_at, row.requested_change = now, now, None
        audit.record(_actor(row), "subscriber.unsubscribed", "subscriber", row.id,
                     after={"via": purpose})
        _event("UNSUBSCRIBED", row)
    db.session.flush()
    return sub


# -- operators --

def get(subscriber_id: int) -> Subscriber:
    """One subscriber (404 when there is none)."""
    sub = db.session.get(Subscriber, subscriber_id)
    if sub is None:
        raise NotFound(f"Subscriber {subscriber_id} does not exist.")
    return sub


_STATUS_FILTER = {
    "pending": lambda: (Subscriber.confirmed_at.is_(None), Subscriber.unsubscribed_at.is_(None)),
    "confirmed": lambda: (Subscriber.confirmed_at.is_not(None), Subscriber.unsubscribed_at.is_(None),
                          Subscriber.suppressed_at.is_(None)),
    "unsubscribed": lambda: (Subscriber.unsubscribed_at.is_not(None),),
    "suppressed": lambda: (Subscriber.suppressed_at.is_not(None),),
}


def list_subscribers(filters: dict, page: int, per_page: int) -> Page:
    """Subscribers under the filters, newest first."""
    stmt = select(Subscriber).order_by(Subscriber.id.desc())
    if q := filters.get("q"):
        stmt = stmt.where(contains(Subscriber.email, q))
    if status := filters.get("status"):
        stmt = stmt.where(*_STATUS_FILTER[status]())
    if scope := filters.get("scope"):
        stmt = stmt.where(Subscriber.scope == scope)
    for name in ("channel", "mode"):
        if value := filters.get(name):
            stmt = stmt.where(getattr(Subscriber, name) == value)
    if (incident := filters.get("incident")) is not None:
        stmt = stmt.where(Subscriber.incident_id == incident)
    if (component := filters.get("component")) is not None:
        stmt = stmt.where(Subscriber.components.any(SubscriberComponent.component_id == component))
    return paginate(stmt, page, per_page)


def delete(actor: Actor, subscriber_id: int) -> None:
    """Remove a subscriber (an operator's action)."""
    sub = get(subscriber_id)
    audit.record(actor, "subscriber.deleted", "subscriber", sub.id, before=_snapshot(sub))
    _event("DELETED", sub)
    db.session.delete(sub)
    db.session.flush()


def send_test_email(actor: Actor, address: str):
    """Queue a test email to ``address``."""
    address = normalise_email(address)
    row = deliveries.create("test", address, f"Test email from {settings.current()['page_name']} status")
    audit.record(actor, "mail.test", "email_delivery", row.id, after={"to": address})
    outbox.record("MAIL_TEST_QUEUED", {"delivery": {"id": row.id}})
    return row


def audience(incident: Incident) -> dict[str, int]:
    """Confirmed, reachable subscribers who hear about this incident, by scope."""
    from sqlalchemy import func, or_

    live = (Subscriber.confirmed_at.is_not(None), Subscriber.unsubscribed_at.is_(None),
            Subscriber.suppressed_at.is_(None))
    component_ids = [c.component_id for c in incident.components]
    reach = or_(Subscriber.scope == "all",
                (Subscriber.scope == "incident") & (Subscriber.incident_id == incident.id),
                (Subscriber.scope == "components")
                & Subscriber.components.any(SubscriberComponent.component_id.in_(component_ids or [0])))
    rows = db.session.execute(select(Subscriber.scope, func.count(func.distinct(Subscriber.email_key)))
                              .where(*live, reach).group_by(Subscriber.scope)).all()
    counts = {"all": 0, "incident": 0, "components": 0, **dict(rows)}
    counts["total"] = db.session.scalar(select(func.count(func.distinct(Subscriber.email_key)))
                                        .where(*live, reach)) or 0
    return counts
