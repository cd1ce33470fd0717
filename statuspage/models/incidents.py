"""Incidents, their tags, affected components and timeline."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, inspect
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship
from sqlalchemy.orm.util import identity_key

from ..domain.statuses import INCIDENT_STATUSES, SEVERITIES, VISIBILITIES, sql_in
from .base import Base, TimestampMixin
from .components import Component
from .users import User


class Incident(TimestampMixin, Base):
    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(f"status in {sql_in(INCIDENT_STATUSES)}", name="status"),
        CheckConstraint(f"severity in {sql_in(SEVERITIES)}", name="severity"),
        CheckConstraint(f"visibility in {sql_in(VISIBILITIES)}", name="visibility"),
        Index("ix_incidents_status_created_at", "status", "created_at"),
        Index("ix_incidents_severity", "severity"),
        Index("ix_incidents_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="investigating")
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    commander_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    identified_at: Mapped[Optional[datetime]]
    monitoring_at: Mapped[Optional[datetime]]
    resolved_at: Mapped[Optional[datetime]]
    reopen_count: Mapped[int] = mapped_column(default=0)
    next_update_at: Mapped[Optional[datetime]]
    # Optimistic concurrency: transitions update WHERE version = :seen.
    version: Mapped[int] = mapped_column(default=1)

    commander: Mapped[Optional[User]] = relationship()
    tag_rows: Mapped[list["IncidentTag"]] = relationship(
        cascade="all, delete-orphan", order_by="IncidentTag.tag", lazy="selectin"
    )
    components: Mapped[list["IncidentComponent"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="IncidentComponent.component_id"
    )
    updates: Mapped[list["IncidentUpdate"]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="IncidentUpdate.id"
    )

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]

    @property
    def is_active(self) -> bool:
        return self.status != "resolved"

    def hidden_from_public(self) -> bool:
        """Whether the public saw this incident neither before nor after the write being
        flushed. Unknown (not loaded) counts as seen: the caller then does too much, never
        too little."""
        state = inspect(self)
        if "visibility" in state.unloaded:
            return False
        return self.visibility == "internal" and "public" not in state.attrs.visibility.history.deleted


def _of_hidden_incident(row, incident_id: Optional[int]) -> bool:
    """Whether ``row`` belongs to an incident the session holds and the public never saw."""
    session = object_session(row)
    if session is None or incident_id is None:
        return False
    incident = session.identity_map.get(identity_key(Incident, (incident_id,)))
    return incident is not None and incident.hidden_from_public()


class IncidentTag(Base):
    __tablename__ = "incident_tags"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(50), primary_key=True, index=True)


class IncidentComponent(Base):
    """A component an incident affects and the status it causes there."""

    __tablename__ = "incident_components"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    # RESTRICT: a component referenced by an incident cannot be deleted.
    component_id: Mapped[int] = mapped_column(
        ForeignKey("components.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    status: Mapped[str] = mapped_column(String(32))

    component: Mapped[Component] = relationship(lazy="joined")

    def hidden_from_public(self) -> bool:
        """Whether the public saw this impact's incident neither before nor after the write."""
        return _of_hidden_incident(self, self.incident_id)


class IncidentUpdate(Base):
    """A timeline entry; every transition writes one."""

    __tablename__ = "incident_updates"
    __table_args__ = (
        Index("ix_incident_updates_incident_created", "incident_id", "created_at"),
        CheckConstraint(f"visibility in {sql_in(VISIBILITIES)}", name="visibility"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default="update")  # created|transition|update
    body: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    status: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_label: Mapped[str] = mapped_column(String(200), default="system")
    notify: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]

    incident: Mapped[Incident] = relationship(back_populates="updates")
    component_changes: Mapped[list["IncidentUpdateComponent"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin",
        order_by="IncidentUpdateComponent.component_id"
    )

    def hidden_from_public(self) -> bool:
        """Whether the public saw this entry's incident neither before nor after the write.
        An internal entry on a public incident counts as seen: a transition moves the
        incident's public status alongside it."""
        return _of_hidden_incident(self, self.incident_id)


class IncidentUpdateComponent(Base):
    """A component status change carried by an update (Statuspage's affected_components)."""

    __tablename__ = "incident_update_components"

    update_id: Mapped[int] = mapped_column(
        ForeignKey("incident_updates.id", ondelete="CASCADE"), primary_key=True
    )
    component_id: Mapped[int] = mapped_column(
        ForeignKey("components.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    old_status: Mapped[str] = mapped_column(String(32))
    new_status: Mapped[str] = mapped_column(String(32))

    component: Mapped[Component] = relationship(lazy="joined")
