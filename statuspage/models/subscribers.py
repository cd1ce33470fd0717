"""Subscribers (email and webhook) and the deliveries made to them on every channel."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..domain.statuses import DELIVERY_STATUSES, sql_in
from ..domain.subscribers import mailbox_key
from .base import BigId, Base, TimestampMixin
from .components import Component

_PAGE_SCOPE = text("channel = 'email' AND scope IN ('all', 'components')")
_INCIDENT_SCOPE = text("channel = 'email' AND scope = 'incident'")
_PAGE_ENDPOINT = text("channel = 'webhook' AND scope IN ('all', 'components')")
_INCIDENT_ENDPOINT = text("channel = 'webhook' AND scope = 'incident'")


class Subscriber(TimestampMixin, Base):
    """One page-level subscription per mailbox (or webhook endpoint), plus one row per
    incident it follows.

    ``email`` is the address as typed (mail goes there; for a webhook, its owner's
    address); ``email_key`` is its case-insensitive form, which every comparison
    and uniqueness rule uses. A webhook subscriber posts to ``endpoint``, signed
    with its secret (kept encrypted).
    """

    __tablename__ = "subscribers"
    __table_args__ = (
        CheckConstraint("scope in ('all','incident','components')", name="scope"),
        Index("ix_subscribers_email_key", "email_key"),
        Index("uq_subscribers_page_mailbox", "email_key", unique=True,
              sqlite_where=_PAGE_SCOPE, postgresql_where=_PAGE_SCOPE),
        Index("uq_subscribers_incident_mailbox", "email_key", "incident_id", unique=True,
              sqlite_where=_INCIDENT_SCOPE, postgresql_where=_INCIDENT_SCOPE),
        Index("uq_subscribers_page_endpoint", "endpoint", unique=True,
              sqlite_where=_PAGE_ENDPOINT, postgresql_where=_PAGE_ENDPOINT),
        Index("uq_subscribers_incident_endpoint", "endpoint", "incident_id", unique=True,
              sqlite_where=_INCIDENT_ENDPOINT, postgresql_where=_INCIDENT_ENDPOINT),
        Index("ix_subscribers_scope_confirmed", "scope", "confirmed_at"),
        CheckConstraint("channel in ('email','webhook')", name="channel"),
        CheckConstraint("mode in ('immediate','daily')", name="mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254))
    scope: Mapped[str] = mapped_column(String(16), default="all")
    # The language the subscriber chose on the page; every email to them uses it.
    locale: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    incident_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    confirmed_at: Mapped[Optional[datetime]]
    unsubscribed_at: Mapped[Optional[datetime]]
    # Set after a permanent (5xx) SMTP rejection; no further mail goes there.
    suppressed_at: Mapped[Optional[datetime]]
    # A confirmed subscriber's new choice ({"scope", "component_ids"}), applied when confirmed.
    requested_change: Mapped[Optional[dict[str, Any]]]
    channel: Mapped[str] = mapped_column(String(16), default="email", server_default="email")
    endpoint: Mapped[Optional[str]] = mapped_column(String(2048))
    secret_encrypted: Mapped[Optional[str]] = mapped_column(Text)
    # Webhooks: deliveries that ended FAILED in a row; at the limit the subscriber is disabled.
    consecutive_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    disabled_at: Mapped[Optional[datetime]]
    # Email: immediate, or one digest a day; the digest covers outbox events after the cursor.
    mode: Mapped[str] = mapped_column(String(16), default="immediate", server_default="immediate")
    digest_event_id: Mapped[Optional[int]] = mapped_column(BigId)
    last_digest_at: Mapped[Optional[datetime]]

    components: Mapped[list["SubscriberComponent"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @validates("email")
    def _keep_key(self, _name: str, address: str) -> str:
        self.email_key = mailbox_key(address)
        return address


class SubscriberComponent(Base):
    __tablename__ = "subscriber_components"

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    component_id: Mapped[int] = mapped_column(
        ForeignKey("components.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    component: Mapped[Component] = relationship(lazy="joined")


class Delivery(TimestampMixin, Base):
    """One message to one recipient (subscriber or integration) about one event, on a channel.

    The table keeps its first name (it began with email only).
    """

    __tablename__ = "email_deliveries"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "event_id"),
        UniqueConstraint("integration_id", "event_id"),
        CheckConstraint(f"status in {sql_in(DELIVERY_STATUSES)}", name="status"),
        Index("ix_email_deliveries_status_next_attempt", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subscriber_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE")
    )
    # NULL for mail that answers no outbox event (confirmation, test email).
    event_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("outbox_events.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="notification")
    channel: Mapped[str] = mapped_column(String(16), default="email", server_default="email")
    integration_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE"), index=True)
    # The receiver's last answer (HTTP channels): status code and the first 200 bytes.
    response_code: Mapped[Optional[int]]
    response_excerpt: Mapped[Optional[str]] = mapped_column(String(200))
    # Digests: the outbox events the email covers.
    digest_events: Mapped[Optional[list[Any]]]
    # Who it goes to: the email address, a webhook's owner, or the integration's name.
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(8), default="PENDING")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[Optional[str]] = mapped_column(Text)
    next_attempt_at: Mapped[Optional[datetime]]
    lease_until: Mapped[Optional[datetime]]
    sent_at: Mapped[Optional[datetime]]
    message_id: Mapped[Optional[str]] = mapped_column(String(255))

    subscriber: Mapped[Optional[Subscriber]] = relationship()


EmailDelivery = Delivery  # the name the email code has always used


class SubscriberImport(Base):
    """A CSV of subscribers waiting for (or done by) the worker, with its report."""

    __tablename__ = "subscriber_imports"
    __table_args__ = (CheckConstraint("status in ('pending','running','done','failed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(8), default="pending")
    csv_text: Mapped[str] = mapped_column(Text)
    confirmed: Mapped[bool] = mapped_column(default=False)
    consent_note: Mapped[Optional[str]] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(200))
    # {"created", "updated", "skipped", "invalid"} and [{"line", "errors"}]
    counts: Mapped[Optional[dict[str, Any]]]
    errors: Mapped[Optional[list[Any]]]
    created_at: Mapped[datetime]
    finished_at: Mapped[Optional[datetime]]
