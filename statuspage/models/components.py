"""Components, their groups, and the status history behind uptime figures."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.ext.hybrid import hybrid_property
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

    @property
    def active_components(self) -> list["Component"]:
        """The group's components that are not archived."""
        return [c for c in self.components if c.archived_at is None]


class Component(TimestampMixin, Base):
    """A part of the service shown on the status page.

    Components are archived, never deleted: an archived one leaves every public
    surface and new references, while its status history (uptime) and the
    incidents, windows and subscriptions that named it keep pointing at it.
    """

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
    archived_at: Mapped[Optional[datetime]]

    group: Mapped[Optional[ComponentGroup]] = relationship(back_populates="components")

    @hybrid_property
    def active(self) -> bool:
        """Not archived (usable in queries: ``select(Component).where(Component.active)``)."""
        return self.archived_at is None

    @active.inplace.expression
    @classmethod
    def _active_expression(cls):
        return cls.archived_at.is_(None)


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
