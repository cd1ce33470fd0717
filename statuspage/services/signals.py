"""Automatic component statuses from signals (firing alerts, failing monitors).

A component's automatic status is the worst of its firing signals, operational
when none fires. Applying it is a normal status change (history, outbox, stream,
subscribers) plus an audit row naming the source. A person wins: once someone
changed the component by hand after a signal began firing, that signal no
longer moves it; a signal that starts firing later does.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, Optional

from sqlalchemy import select

from ..domain.automation import is_automated, target_status
from ..extensions import db
from ..models import AlertSignal, Component, ComponentStatusChange, utcnow
from . import audit, components
from .context import Actor


def actor_for(source: str) -> Actor:
    """The actor automatic changes are recorded under (``integration:<id>``, ``monitor:<id>``)."""
    kind, _, ident = source.partition(":")
    return Actor(type=kind, id=int(ident), label=source, role="admin")


def fire(source: str, key: str, group_key: str, component_id: int, status: str,
         summary: str, now: Optional[datetime] = None) -> AlertSignal:
    """Record that ``key`` of ``source`` fires, asking for ``status``."""
    now = now or utcnow()
    signal = db.session.scalar(select(AlertSignal).where(
        AlertSignal.source == source, AlertSignal.key == key))
    if signal is None:
        signal = AlertSignal(source=source, key=key, since=now, firing=False)
        db.session.add(signal)
    if not signal.firing or signal.component_id != component_id:
        signal.since = now  # a new firing episode
    signal.firing, signal.group_key, signal.component_id = True, group_key, component_id
    signal.status, signal.summary = status, summary
    db.session.flush()
    return signal


def resolve(source: str, key: str) -> Optional[AlertSignal]:
    """Record that ``key`` of ``source`` stopped firing; None when it was not firing."""
    signal = db.session.scalar(select(AlertSignal).where(
        AlertSignal.source == source, AlertSignal.key == key, AlertSignal.firing))
    if signal is not None:
        signal.firing = False
        db.session.flush()
    return signal


def _last_change(component_id: int) -> Optional[ComponentStatusChange]:
    return db.session.scalar(select(ComponentStatusChange).where(
        ComponentStatusChange.component_id == component_id)
        .order_by(ComponentStatusChange.changed_at.desc(), ComponentStatusChange.id.desc()).limit(1))


def human_owns(component_id: int, since: datetime) -> bool:
    """Whether a person changed the component after ``since``."""
    last = _last_change(component_id)
    return last is not None and not is_automated(last.actor_label) and last.changed_at >= since


def reconcile(source: str, touched: Iterable[AlertSignal], reason: str = "") -> list[dict]:
    """Move each component the ``touched`` signals concern to its automatic status.

    Returns the changes made, as ``{"component_id", "from", "to"}``.
    """
    by_component: dict[int, list[AlertSignal]] = {}
    for signal in touched:
        by_component.setdefault(signal.component_id, []).append(signal)
    actor, changes = actor_for(source), []
    for component_id, signals in sorted(by_component.items()):
        component = db.session.get(Component, component_id)
        if component is None or component.status == "under_maintenance":
            continue
        if human_owns(component_id, min(s.since for s in signals)):
            continue
        firing = db.session.scalars(select(AlertSignal.status).where(
            AlertSignal.component_id == component_id, AlertSignal.firing)).all()
        target = target_status(firing)
        before = component.status
        if components.set_status(component, target, actor) is None:
            continue
        why = next((s.summary for s in signals if s.firing), None) or signals[0].summary
        audit.record(actor, "component.updated", "component", component_id,
                     before={"status": before}, after={"status": target, "reason": reason or why})
        changes.append({"component_id": component_id, "from": before, "to": target})
    return changes


def firing_for(source: str, group_key: Optional[str] = None) -> list[AlertSignal]:
    """The firing signals of ``source`` (in one group)."""
    stmt = select(AlertSignal).where(AlertSignal.source == source, AlertSignal.firing)
    if group_key is not None:
        stmt = stmt.where(AlertSignal.group_key == group_key)
    return list(db.session.scalars(stmt.order_by(AlertSignal.id)))


def release(source: str, reason: str) -> list[dict]:
    """Stop every firing signal of ``source`` (deleted, paused, re-pointed) and move the
    components they held back to what the remaining signals ask for."""
    firing = firing_for(source)
    for signal in firing:
        signal.firing = False
    db.session.flush()
    return reconcile(source, firing, reason=reason) if firing else []
