"""Scheduled maintenance windows: plan, start, verify, complete (no HTTP, no RQ here).

Starting a window puts its components ``under_maintenance`` and remembers the
status each had; completing it puts them back. The worker calls :func:`start`
and :func:`complete` with ``due_only=True`` at the window's times; an operator
moves a window by hand with :func:`transition`, along the table in
``domain/maintenance_lifecycle.py``.
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy import select, update as sql_update

from ..domain.maintenance_lifecycle import OPEN, allowed_next, can_transition
from ..domain.statuses import worst_component_status
from ..errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from ..extensions import db
from ..models import (ComponentStatusChange, Incident, IncidentComponent, Maintenance,
                      MaintenanceComponent, utcnow)
from . import audit, components, outbox
from .context import Actor
from .pagination import Page, paginate


def _iso(value):
    return value.isoformat() if value else None


def snapshot(m: Maintenance) -> dict:
    """The audited fields of a window."""
    return {"title": m.title, "description": m.description, "status": m.status,
            "starts_at": m.starts_at, "ends_at": m.ends_at,
            "component_ids": sorted(c.component_id for c in m.components)}


def public_view(m: Maintenance) -> dict:
    """A window as event payloads (both streams and emails) carry it."""
    return {"id": m.id, "title": m.title, "description": m.description, "status": m.status,
            "starts_at": _iso(m.starts_at), "ends_at": _iso(m.ends_at),
            "started_at": _iso(m.started_at), "completed_at": _iso(m.completed_at),
            "components": [{"id": c.component_id, "name": c.component.name,
                            "status": c.component.status} for c in m.shown_components]}


def _emit(event_type: str, m: Maintenance, *, notify: bool = False, **extra) -> None:
    # Maintenance is public by nature: the same view goes to both streams.
    payload = {"maintenance": public_view(m), "page": components.overall_status(), **extra}
    outbox.record(event_type, payload, payload, maintenance_id=m.id, notify=notify)


def get(maintenance_id: int) -> Maintenance:
    """One window (404 when there is none)."""
    m = db.session.get(Maintenance, maintenance_id)
    if m is None:
        raise NotFound(f"Maintenance {maintenance_id} does not exist.")
    return m


def list_maintenances(filters: dict, page: int = 1, per_page: int = 25) -> Page:
    """Soonest first; ``status`` filters, ``active`` = not completed."""
    stmt = select(Maintenance).order_by(Maintenance.starts_at, Maintenance.id)
    if status := filters.get("status"):
        stmt = stmt.where(Maintenance.status != "completed" if status == "active"
                          else Maintenance.status == status)
    return paginate(stmt, page, per_page)


def _check_window(starts_at, ends_at) -> None:
    if ends_at <= starts_at:
        raise ValidationFailed({"ends_at": ["Must be after starts_at."]})


def create(actor: Actor, data: dict) -> Maintenance:
    """Schedule a window (the worker starts and completes it on time)."""
    _check_window(data["starts_at"], data["ends_at"])
    found = components.get_many(data.get("component_ids", []), field="component_ids")
    m = Maintenance(title=data["title"], description=data.get("description", ""),
                    starts_at=data["starts_at"], ends_at=data["ends_at"], status="scheduled",
                    created_by_id=actor.user_id)
    m.components = [MaintenanceComponent(component_id=i) for i in sorted(found)]
    db.session.add(m)
    db.session.flush()
    audit.record(actor, "maintenance.created", "maintenance", m.id, after=snapshot(m))
    _emit("MAINTENANCE_SCHEDULED", m, notify=True)
    return m


def update(actor: Actor, maintenance_id: int, data: dict) -> Maintenance:
    """Edit a window's descriptive fields and times; its status moves only through :func:`transition`."""
    if "status" in data:
        url = f"/api/maintenances/{maintenance_id}/transition"
        raise ValidationFailed({"status": [f"Status changes go through POST {url}."]},
                               f"Status cannot be patched; POST {url} instead.", transition_url=url)
    m = get(maintenance_id)
    before = snapshot(m)
    if m.status != "scheduled":
        frozen = [f for f in ("starts_at", "component_ids") if f in data]
        if frozen or (m.status == "completed" and "ends_at" in data):
            raise Conflict(f"Maintenance {m.id} is '{m.status}'; its "
                           f"{', '.join(frozen or ['ends_at'])} can no longer change.")
    _check_window(data.get("starts_at", m.starts_at), data.get("ends_at", m.ends_at))
    if "component_ids" in data:
        found = components.get_many(data.pop("component_ids"), field="component_ids",
                                    already=[c.component_id for c in m.components])
        m.components = [MaintenanceComponent(component_id=i) for i in sorted(found)]
    for key, value in data.items():
        setattr(m, key, value)
    m.updated_at = utcnow()
    db.session.flush()
    b, a = audit.diff(before, snapshot(m))
    if a:
        audit.record(actor, "maintenance.updated", "maintenance", m.id, before=b, after=a)
        _emit("MAINTENANCE_UPDATED", m, changed=sorted(a))
    return m


def _refuse(m: Maintenance, to: str) -> InvalidTransition:
    return InvalidTransition(m.status, to, allowed_next(m.status), subject="A maintenance window")


def transition(actor: Actor, maintenance_id: int, to: str) -> Maintenance:
    """Move a window along its lifecycle; starting and completing move its components too."""
    m = get(maintenance_id)
    if not can_transition(m.status, to):
        raise _refuse(m, to)
    if to == "in_progress" and m.status == "scheduled":
        return start(actor, m.id)
    if to == "completed":
        return complete(actor, m.id)
    previous = m.status  # in_progress <-> verifying: components stay under maintenance
    if not _claim(m, (previous,), {"status": to}):
        raise _refuse(m, to)
    audit.record(actor, "maintenance.updated", "maintenance", m.id,
                 before={"status": previous}, after={"status": to})
    _emit("MAINTENANCE_UPDATED", m, changed=["status"], previous_status=previous)
    return m


def delete(actor: Actor, maintenance_id: int) -> None:
    """Remove a window that is not in progress."""
    m = get(maintenance_id)
    if m.status in OPEN:
        raise Conflict(f"Maintenance {m.id} is in progress; complete it before deleting it.")
    audit.record(actor, "maintenance.deleted", "maintenance", m.id, before=snapshot(m))
    payload = {"maintenance": public_view(m), "deleted": True, "page": components.overall_status()}
    outbox.record("MAINTENANCE_UPDATED", payload, payload)
    db.session.delete(m)
    db.session.flush()


def _claim(m: Maintenance, from_statuses: tuple[str, ...], values: dict) -> bool:
    """Compare-and-set the status so two workers never both start (or complete) a window."""
    result = db.session.execute(
        sql_update(Maintenance)
        .where(Maintenance.id == m.id, Maintenance.status.in_(from_statuses))
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False))
    db.session.refresh(m)
    return result.rowcount == 1


def _covering(component_id: int, exclude_id: int) -> Optional[MaintenanceComponent]:
    """Another open window that holds this component."""
    return db.session.scalar(
        select(MaintenanceComponent).join(Maintenance).where(
            MaintenanceComponent.component_id == component_id,
            Maintenance.id != exclude_id, Maintenance.status.in_(OPEN)).limit(1))


def start(actor: Actor, maintenance_id: int, *, due_only: bool = False) -> Maintenance:
    """Begin the window; with ``due_only`` (the worker) quietly skip one not due or not scheduled."""
    m = get(maintenance_id)
    if due_only and (m.status != "scheduled" or m.starts_at > utcnow()):
        return m
    if not _claim(m, ("scheduled",), {"status": "in_progress", "started_at": utcnow()}):
        if due_only:
            return m
        raise Conflict(f"Maintenance {m.id} is '{m.status}', not scheduled.")
    for link in m.components:
        component = link.component
        if component.archived_at is not None:
            continue  # off the page: an archived component's status stays as it was
        prior = component.status
        if prior == "under_maintenance":
            other = _covering(component.id, m.id)
            prior = other.prior_status if other and other.prior_status else "operational"
        link.prior_status = prior
        components.set_status(component, "under_maintenance", actor, maintenance_id=m.id)
    db.session.flush()
    audit.record(actor, "maintenance.started", "maintenance", m.id,
                 before={"status": "scheduled"}, after={"status": "in_progress"})
    _emit("MAINTENANCE_STARTED", m, notify=True)
    return m


def _restore_status(link: MaintenanceComponent, m: Maintenance) -> str:
    """What a component returns to after the window.

    An active incident's impact wins; a prior status that an incident caused
    (and that incident has since been resolved) becomes operational; otherwise
    the status the component had before the window.
    """
    impacts = db.session.scalars(
        select(IncidentComponent.status).join(Incident).where(
            IncidentComponent.component_id == link.component_id,
            Incident.status != "resolved")).all()
    if impacts:
        return worst_component_status(impacts)
    prior = link.prior_status or "operational"
    if prior != "operational":
        caused_by = db.session.scalar(
            select(ComponentStatusChange.incident_id).where(
                ComponentStatusChange.component_id == link.component_id,
                ComponentStatusChange.maintenance_id.is_(None),
                ComponentStatusChange.changed_at <= m.started_at)
            .order_by(ComponentStatusChange.changed_at.desc(), ComponentStatusChange.id.desc())
            .limit(1))
        if caused_by is not None:
            return "operational"
    return prior


def complete(actor: Actor, maintenance_id: int, *, due_only: bool = False) -> Maintenance:
    """End the window and put its components back (unless someone changed them meanwhile)."""
    m = get(maintenance_id)
    if due_only and (m.status not in OPEN or m.ends_at > utcnow()):
        return m
    previous = m.status
    if not _claim(m, ("scheduled",) + OPEN, {"status": "completed", "completed_at": utcnow()}):
        if due_only:
            return m
        raise Conflict(f"Maintenance {m.id} is already completed.")
    if previous in OPEN:
        for link in m.components:
            component = link.component
            if component.status != "under_maintenance" or _covering(component.id, m.id):
                continue
            components.set_status(component, _restore_status(link, m), actor, maintenance_id=m.id)
    db.session.flush()
    audit.record(actor, "maintenance.completed", "maintenance", m.id,
                 before={"status": previous}, after={"status": "completed"})
    _emit("MAINTENANCE_COMPLETED", m, notify=True, previous_status=previous)
    return m


def due(now=None) -> tuple[list[int], list[int]]:
    """Ids of windows that should have started, and of open ones that should have ended."""
    now = now or utcnow()
    to_start = db.session.scalars(select(Maintenance.id).where(
        Maintenance.status == "scheduled", Maintenance.starts_at <= now).order_by(Maintenance.id))
    to_end = db.session.scalars(select(Maintenance.id).where(
        Maintenance.status.in_(OPEN), Maintenance.ends_at <= now).order_by(Maintenance.id))
    return list(to_start), list(to_end)
