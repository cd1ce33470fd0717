"""Postmortems (one per incident) and their action items."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.statuses import ACTION_ITEM_PRIORITIES, ACTION_ITEM_STATUSES, sql_in
from .base import Base, TimestampMixin


class Postmortem(TimestampMixin, Base):
    __tablename__ = "postmortems"
    __table_args__ = (CheckConstraint("status in ('draft','published')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), unique=True
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    impact: Mapped[str] = mapped_column(Text, default="")
    root_cause: Mapped[str] = mapped_column(Text, default="")
    resolution: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    published_at: Mapped[Optional[datetime]]
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    action_items: Mapped[list["ActionItem"]] = relationship(
        back_populates="postmortem", cascade="all, delete-orphan", order_by="ActionItem.id"
    )


class ActionItem(TimestampMixin, Base):
    __tablename__ = "action_items"
    __table_args__ = (
        CheckConstraint(f"priority in {sql_in(ACTION_ITEM_PRIORITIES)}", name="priority"),
        CheckConstraint(f"status in {sql_in(ACTION_ITEM_STATUSES)}", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    postmortem_id: Mapped[int] = mapped_column(
        ForeignKey("postmortems.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(120), default="")
    due_date: Mapped[Optional[date]]
    priority: Mapped[str] = mapped_column(String(8), default="medium")
    status: Mapped[str] = mapped_column(String(16), default="open")

    postmortem: Mapped[Postmortem] = relationship(back_populates="action_items")
