"""Automatic status sources: alerts from integrations, built-in monitors and their results."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import BigId, Base, TimestampMixin


class AlertSignal(TimestampMixin, Base):
    """One alert (or failing monitor) that wants a component in a status.

    ``source`` is ``integration:<id>`` or ``monitor:<id>``; ``key`` tells alerts of
    one source apart (a fingerprint, a dedup key). A component's automatic status
    is the worst status among its firing signals. ``group_key`` ties the alerts of
    one group to the incident they opened.
    """

    __tablename__ = "alert_signals"
    __table_args__ = (UniqueConstraint("source", "key"),
                      Index("ix_alert_signals_component_firing", "component_id", "firing"))

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    group_key: Mapped[str] = mapped_column(String(255))
    component_id: Mapped[int] = mapped_column(ForeignKey("components.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(32))
    firing: Mapped[bool] = mapped_column(default=True)
    summary: Mapped[str] = mapped_column(String(500), default="")
    # When this firing episode began (a human change after it owns the component).
    since: Mapped[datetime]


class AlertGroupIncident(Base):
    """The incident a group of alerts opened (deduplication by group key)."""

    __tablename__ = "alert_group_incidents"
    __table_args__ = (UniqueConstraint("source", "group_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    group_key: Mapped[str] = mapped_column(String(255))
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    opened_at: Mapped[datetime]


class IngestRecord(Base):
    """One received alert payload and what became of it (the console's recent list)."""

    __tablename__ = "ingest_records"
    __table_args__ = (Index("ix_ingest_records_integration_id", "integration_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"))
    received_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(16))  # applied | problems
    changes: Mapped[list[Any]] = mapped_column(default=list)
    problems: Mapped[list[Any]] = mapped_column(default=list)
    excerpt: Mapped[str] = mapped_column(Text, default="")


class Monitor(TimestampMixin, Base):
    """A check the worker runs on a schedule; its verdicts drive a component.

    ``next_check_at`` and ``lease_until`` make the schedule safe with several
    workers: a worker claims a due check with a compare-and-set on both.
    """

    __tablename__ = "monitors"
    __table_args__ = (Index("ix_monitors_due", "paused", "next_check_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))  # http | tcp | keyword
    url: Mapped[Optional[str]] = mapped_column(String(2048))
    host: Mapped[Optional[str]] = mapped_column(String(255))
    port: Mapped[Optional[int]]
    keyword: Mapped[Optional[str]] = mapped_column(String(255))
    expected_status: Mapped[list[Any]] = mapped_column(default=list)
    interval_seconds: Mapped[int] = mapped_column(default=60)
    timeout_seconds: Mapped[float] = mapped_column(default=10.0)
    component_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("components.id", ondelete="SET NULL"), index=True)
    failure_threshold: Mapped[int] = mapped_column(default=3)
    recovery_threshold: Mapped[int] = mapped_column(default=2)
    degraded_ms: Mapped[Optional[int]]
    public_metric: Mapped[bool] = mapped_column(default=False)
    paused: Mapped[bool] = mapped_column(default=False)
    next_check_at: Mapped[datetime]
    lease_until: Mapped[Optional[datetime]]
    # Verdict so far: up | degraded | down | unknown, and the runs behind it.
    state: Mapped[str] = mapped_column(String(16), default="unknown")
    failures_in_row: Mapped[int] = mapped_column(default=0)
    slow_in_row: Mapped[int] = mapped_column(default=0)
    successes_in_row: Mapped[int] = mapped_column(default=0)
    last_checked_at: Mapped[Optional[datetime]]
    last_error: Mapped[Optional[str]] = mapped_column(Text)


class MonitorResult(Base):
    """One check, or (after downsampling) one hour of checks: ``samples`` of them."""

    __tablename__ = "monitor_results"
    __table_args__ = (Index("ix_monitor_results_monitor_at", "monitor_id", "checked_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    monitor_id: Mapped[int] = mapped_column(ForeignKey("monitors.id", ondelete="CASCADE"))
    checked_at: Mapped[datetime]
    ok: Mapped[bool]
    response_ms: Mapped[Optional[float]]
    error: Mapped[Optional[str]] = mapped_column(String(300))
    samples: Mapped[int] = mapped_column(default=1)
    failures: Mapped[int] = mapped_column(default=0)
    folded: Mapped[bool] = mapped_column(default=False)  # an hour's checks in one row
