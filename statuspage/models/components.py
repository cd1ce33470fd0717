"""Components, their groups, and the status history behind uptime figures."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.statuses import COMPONENT_STATUSES, sql_in
from .base import BigId, Base, TimestampMixin


class ComponentGroup(TimestampMixin, Base):
    __tablename__ = "component_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    components: Mapped[list["Component"]] = relationship(
        back_populates="group", order_by="Component.position"
    )


class Component(TimestampMixin, Base):
    __tablename__ = "components"
    __table_args__ = (CheckConstraint(f"status in {sql_in(COMPONENT_STATUSES)}", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("component_groups.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(32), default="operational")

    group: Mapped[Optional[ComponentGroup]] = relationship(back_populates="components")


class ComponentStatusChange(Base):
    """Append-only: the single source for uptime bars and SLA figures."""

    __tablename__ = "component_status_changes"
    __table_args__ = (Index("ix_component_status_changes_component_at", "component_id", "changed_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("components.id", ondelete="CASCADE"))
    from_status: Mapped[Optional[str]] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime]
    incident_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), index=True
    )
    maintenance_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("maintenances.id", ondelete="SET NULL")
    )
    actor_label: Mapped[str] = mapped_column(String(200), default="system")
