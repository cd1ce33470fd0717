"""The page's own settings and brand: one row, edited by admins; empty fields fall back to the environment."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import CheckConstraint, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class PageSettings(Base):
    __tablename__ = "page_settings"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    page_name: Mapped[Optional[str]] = mapped_column(String(100))
    accent_color: Mapped[Optional[str]] = mapped_column(String(7))
    support_url: Mapped[Optional[str]] = mapped_column(String(500))
    # [{"label": ..., "url": ...}], at most five
    footer_links: Mapped[list[Any]] = mapped_column(default=list)
    announcement: Mapped[Optional[str]] = mapped_column(Text)
    time_zone: Mapped[Optional[str]] = mapped_column(String(64))
    # "public" | "private" (who may read the reader surfaces) and the readers' default language.
    visibility: Mapped[Optional[str]] = mapped_column(String(8))
    default_locale: Mapped[Optional[str]] = mapped_column(String(16))
    logo: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    logo_type: Mapped[Optional[str]] = mapped_column(String(40))
    favicon: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    favicon_type: Mapped[Optional[str]] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
