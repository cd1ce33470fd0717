"""Integrations: chat channels the product posts to, and senders it accepts alerts from."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, TimestampMixin


class Integration(TimestampMixin, Base):
    """One configured integration of a registered ``kind``.

    ``config`` holds the kind's non-secret settings. Its secret is either
    encrypted (``secret_encrypted``: the product must use it again, e.g. a chat
    webhook URL) or hashed (``secret_hash``: the product only compares it, e.g. an
    inbound token); ``secret_hint`` is the short form listings may show.
    """

    __tablename__ = "integrations"
    __table_args__ = (Index("ix_integrations_kind_enabled", "kind", "enabled"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    secret_encrypted: Mapped[Optional[str]] = mapped_column(Text)
    secret_hash: Mapped[Optional[str]] = mapped_column(String(128), index=True)
    secret_hint: Mapped[Optional[str]] = mapped_column(String(120))
    enabled: Mapped[bool] = mapped_column(default=True)
    # The last delivery's outcome, for the console's list.
    last_delivery_at: Mapped[Optional[datetime]]
    last_delivery_status: Mapped[Optional[str]] = mapped_column(String(16))
    last_response_code: Mapped[Optional[int]]
    last_response_excerpt: Mapped[Optional[str]] = mapped_column(String(200))
    last_error: Mapped[Optional[str]] = mapped_column(Text)
