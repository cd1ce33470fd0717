"""Email subscribers and the deliveries made to them."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..domain.statuses import DELIVERY_STATUSES, sql_in
from ..domain.subscribers import mailbox_key
from .base import BigId, Base, TimestampMixin
from .components import Component

_PAGE_SCOPE = text("scope IN ('all', 'components')")
_INCIDENT_SCOPE = text("scope = 'incident'")


class Subscriber(TimestampMixin, Base):
    """One page-level subscription per mailbox, plus one row per incident it follows.

    ``email`` is the address as typed (mail goes there); ``email_key`` is its
    case-insensitive form, which every comparison and uniqueness rule uses.
    """

    __tablename__ = "subscribers"
    __table_args__ = (
        CheckConstraint("scope in ('all','incident','components')", name="scope"),
        Index("ix_subscribers_email_key", "email_key"),
        Index("uq_subscribers_page_mailbox", "email_key", unique=True,
              sqlite_where=_PAGE_SCOPE, postgresql_where=_PAGE_SCOPE),
        Index("uq_subscribers_incident_mailbox", "email_key", "incident_id", unique=True,
              sqlite_where=_INCIDENT_SCOPE, postgresql_where=_INCIDENT_SCOPE),
        Index("ix_subscribers_scope_confirmed", "scope", "confirmed_at"),
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


class EmailDelivery(TimestampMixin, Base):
    __tablename__ = "email_deliveries"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "event_id"),
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
