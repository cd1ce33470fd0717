"""Scheduled maintenance windows."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.statuses import MAINTENANCE_STATUSES, sql_in
from .base import Base, TimestampMixin
from .components import Component


class Maintenance(TimestampMixin, Base):
    __tablename__ = "maintenances"
    __table_args__ = (
        CheckConstraint(f"status in {sql_in(MAINTENANCE_STATUSES)}", name="status"),
        Index("ix_maintenances_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    started_at: Mapped[Optional[datetime]]
    completed_at: Mapped[Optional[datetime]]
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    components: Mapped[list["MaintenanceComponent"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="MaintenanceComponent.component_id"
    )

    @property
    def shown_components(self) -> list["MaintenanceComponent"]:
        """The window's components that are not archived (what public views list)."""
        return [link for link in self.components if link.component.archived_at is None]


class MaintenanceComponent(Base):
    __tablename__ = "maintenance_components"

    maintenance_id: Mapped[int] = mapped_column(
        ForeignKey("maintenances.id", ondelete="CASCADE"), primary_key=True
    )
    component_id: Mapped[int] = mapped_column(
        ForeignKey("components.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # The status to restore when the window completes.
    prior_status: Mapped[Optional[str]] = mapped_column(String(32))

    component: Mapped[Component] = relationship(lazy="joined")
