"""The transactional outbox: events committed with the write that caused them."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import BigId, Base


class OutboxEvent(Base):
    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_published_at", "published_at", "id"),
        Index("ix_outbox_events_fanout_status", "fanout_status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_type: Mapped[str] = mapped_column(String(48))
    audience: Mapped[str] = mapped_column(String(8))  # public | admin
    # What the admin stream carries; ``public_payload`` is the public-safe view
    # (None when the event must never reach the public stream).
    payload: Mapped[dict[str, Any]]
    public_payload: Mapped[Optional[dict[str, Any]]]
    incident_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), index=True
    )
    maintenance_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("maintenances.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    published_at: Mapped[Optional[datetime]]
    stream_id: Mapped[Optional[str]] = mapped_column(String(32))
    # Notification fan-out: none (nobody is notified of this event) | pending | done
    fanout_status: Mapped[str] = mapped_column(String(8), default="none")
    # Bodies for the HTTP channels, rendered once per event at fan-out ({channel: ...}).
    rendered: Mapped[Optional[dict[str, Any]]]
