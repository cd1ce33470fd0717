"""The append-only audit trail."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import BigId, Base


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_created_at", "created_at"),
        Index("ix_audit_events_target", "target_type", "target_id"),
        Index("ix_audit_events_action", "action"),
        Index("ix_audit_events_actor", "actor_type", "actor_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime]
    actor_type: Mapped[str] = mapped_column(String(16))  # user | token | system | subscriber
    actor_id: Mapped[Optional[int]]
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[Optional[str]] = mapped_column(String(64))
    before: Mapped[Optional[dict[str, Any]]]
    after: Mapped[Optional[dict[str, Any]]]
    request_id: Mapped[Optional[str]] = mapped_column(String(64))
    ip: Mapped[Optional[str]] = mapped_column(String(64))
