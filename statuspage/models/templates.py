"""Reusable incident and update templates."""
from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, TimestampMixin


class IncidentTemplate(TimestampMixin, Base):
    __tablename__ = "incident_templates"
    __table_args__ = (CheckConstraint("kind in ('incident','update')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="incident")
    name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[Optional[str]] = mapped_column(String(8))
    # [{"id": component_id, "status": component_status}]
    components: Mapped[list[Any]] = mapped_column(default=list)
    tags: Mapped[list[Any]] = mapped_column(default=list)
