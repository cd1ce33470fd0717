"""Components and groups; every status change lands in the status history.

Components are archived rather than deleted (see :func:`archive`), so their
history and every past reference to them stay intact.
"""
from __future__ import annotations

from typing import Iterable, Optional

from sqlalchemy import exists, select

from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..models import (
    Component,
    ComponentGroup,
    ComponentStatusChange,
    Incident,
    IncidentTemplate,
    Subscriber,
    SubscriberComponent,
    utcnow,
)
from ..domain.statuses import page_indicator
from . import audit, outbox
from .context import Actor
from .pagination import Page, paginate

_FIELDS = ("name", "description", "status", "position", "group_id", "archived_at")


def snapshot(component: Component) -> dict:
    """The audited fields of a component."""
    return {f: getattr(component, f) for f in _FIELDS}


def get(component_id: int) -> Component:
    """One component (404 when there is none)."""
    component = db.session.get(Component, component_id)
    if component is None:
        raise NotFound(f"Component {component_id} does not exist.")
    return component


def get_many(ids: Iterable[int], field: str = "components",
             already: Iterable[int] = ()) -> dict[int, Component]:
    """Load components by id; unknown ids, and archived ones not among ``already``
    (those the record refers to now), are a validation error on ``field``."""
    ids = list(dict.fromkeys(ids))
    found = {c.id: c for c in db.session.scalars(select(Component).where(Component.id.in_(ids)))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationFailed({field: [f"Unknown component id(s): {missing}"]})
    archived = [i for i in ids if found[i].archived_at is not None and i not in set(already)]
    if archived:
        raise ValidationFailed({field: [f"These components are archived: {archived}"]})
    return found


def list_all(archived: bool = False) -> list[Component]:
    """Components in display order: the active ones, or with ``archived`` the archived ones."""
    which = Component.archived_at.is_not(None) if archived else Component.active
    return list(db.session.scalars(select(Component).where(which)
                                   .order_by(Component.position, Component.id)))


def list_groups() -> list[ComponentGroup]:
    """Every component group, in page order."""
    return list(db.session.scalars(select(ComponentGroup).order_by(ComponentGroup.position, ComponentGroup.id)))


def overall_status() -> dict:
    """The page's overall status from current component statuses."""
    statuses = db.session.scalars(select(Component.status).where(Component.active)).all()
    indicator, description = page_indicator(statuses)
    return {"indicator": indicator, "description": description}


def public_view(component: Component) -> dict:
    """What event payloads say about a component."""
    return {"id": component.id, "name": component.name, "status": component.status,
            "group_id": component.group_id}


def set_status(
    component: Component,
    status: str,
    actor: Actor,
    *,
    incident_id: Optional[int] = None,
    maintenance_id: Optional[int] = None,
) -> Optional[ComponentStatusChange]:
    """Change a component's status, recording history and an event; no-op if unchanged."""
    if component.status == status:
        return None
    change = ComponentStatusChange(
        component_id=component.id,
        from_status=component.status,
        to_status=status,
        changed_at=utcnow(),
        incident_id=incident_id,
        maintenance_id=maintenance_id,
        actor_label=actor.label,
    )
    component.status = status
    db.session.add(change)
    db.session.flush()
    payload = {"component": public_view(component), "from": change.from_status,
               "to": status, "incident_id": incident_id, "page": overall_status(),
               "change": {"id": change.id, "at": change.changed_at.isoformat()}}
    public = {**payload, "incident_id": incident_id if _is_public(incident_id) else None}
    # Webhook subscribers hear of component changes (email subscribers do not).
    outbox.record("COMPONENT_STATUS_CHANGED", payload, public, notify=True)
    return change


def _is_public(incident_id: Optional[int]) -> bool:
    # The incident is in the session already (the caller is changing it): no query.
    incident = db.session.get(Incident, incident_id) if incident_id is not None else None
    return incident is not None and incident.visibility == "public"


def _check_group(group_id: Optional[int]) -> None:
    if group_id is not None and db.session.get(ComponentGroup, group_id) is None:
        raise ValidationFailed({"group_id": [f"Unknown component group id: {group_id}"]})


def _next_position(model) -> int:
    current = db.session.scalar(select(db.func.max(model.position)))
    return (current or 0) + 1


def create(actor: Actor, data: dict) -> Component:
    """Add a component (at the end unless a position is given)."""
    _check_group(data.get("group_id"))
    status = data.pop("status", "operational")
    component = Component(status="operational", **data)
    if "position" not in data:
        component.position = _next_position(Component)
    db.session.add(component)
    db.session.flush()
    set_status(component, status, actor)
    audit.record(actor, "component.created", "component", component.id, after=snapshot(component))
    _emit_changed("created", component)
    return component


def _emit_changed(action: str, component: Component, changed=()) -> None:
    """Descriptive changes (name, group, order): the public page re-renders its list."""
    payload = {"action": action, "component": public_view(component), "changed": sorted(changed)}
    outbox.record("COMPONENT_UPDATED", payload, payload)


def update(actor: Actor, component_id: int, data: dict) -> Component:
    """Edit a component; a status change also lands in its history."""
    component = get(component_id)
    if "group_id" in data:
        _check_group(data["group_id"])
    before = snapshot(component)
    status = data.pop("status", None)
    for key, value in data.items():
        setattr(component, key, value)
    if status is not None:
        set_status(component, status, actor)
    db.session.flush()
    b, a = audit.diff(before, snapshot(component))
    if a:
        audit.record(actor, "component.updated", "component", component.id, before=b, after=a)
    if set(a) - {"status"}:  # a status change already has its COMPONENT_STATUS_CHANGED
        _emit_changed("updated", component, set(a) - {"status"})
    return component


def orphaned_subscribers(component_ids: Iterable[int] | None = None) -> list[Subscriber]:
    """Live component subscribers left with no active component to follow
    (only those following one of ``component_ids``, when given)."""
    following_active = exists().where(
        SubscriberComponent.subscriber_id == Subscriber.id,
        SubscriberComponent.component_id == Component.id, Component.active)
    stmt = select(Subscriber).where(
        Subscriber.scope == "components", Subscriber.confirmed_at.is_not(None),
        Subscriber.unsubscribed_at.is_(None), ~following_active)
    if component_ids is not None:
        stmt = stmt.where(Subscriber.components.any(
            SubscriberComponent.component_id.in_(list(component_ids))))
    return list(db.session.scalars(stmt.order_by(Subscriber.id)))


def archive(actor: Actor, component_id: int) -> Component:
    """Take a component off the page and out of new use, keeping its history (idempotent)."""
    component = get(component_id)
    if component.archived_at is not None:
        return component
    before = snapshot(component)
    component.archived_at = utcnow()
    db.session.flush()
    audit.record(actor, "component.archived", "component", component_id, before=before,
                 after={"archived_at": component.archived_at})
    _emit_changed("archived", component, {"archived_at"})
    _forget_in_templates(component_id)
    return component


def restore(actor: Actor, component_id: int) -> Component:
    """Bring an archived component back, with its history as it was."""
    component = get(component_id)
    if component.archived_at is None:
        return component
    before = {"archived_at": component.archived_at}
    component.archived_at = None
    component.position = _next_position(Component)
    db.session.flush()
    audit.record(actor, "component.restored", "component", component_id, before=before,
                 after={"archived_at": None})
    _emit_changed("restored", component, {"archived_at"})
    return component


def _forget_in_templates(component_id: int) -> None:
    # Templates prefill new incidents with components: keep them valid.
    for template in db.session.scalars(select(IncidentTemplate)):
        kept = [c for c in template.components if c.get("id") != component_id]
        if len(kept) != len(template.components):
            template.components = kept


def create_group(actor: Actor, data: dict) -> ComponentGroup:
    """Add a component group."""
    group = ComponentGroup(**data)
    if "position" not in data:
        group.position = _next_position(ComponentGroup)
    db.session.add(group)
    db.session.flush()
    audit.record(actor, "component_group.created", "component_group", group.id,
                 after=_group_snapshot(group))
    _emit_group("created", group)
    return group


def _group_snapshot(group: ComponentGroup) -> dict:
    return {"name": group.name, "description": group.description, "position": group.position}


def _emit_group(action: str, group: ComponentGroup) -> None:
    payload = {"action": action, "group": {"id": group.id, **_group_snapshot(group)}}
    outbox.record("COMPONENT_GROUP_UPDATED", payload, payload)


def get_group(group_id: int) -> ComponentGroup:
    """One component group (404 when there is none)."""
    group = db.session.get(ComponentGroup, group_id)
    if group is None:
        raise NotFound(f"Component group {group_id} does not exist.")
    return group


def update_group(actor: Actor, group_id: int, data: dict) -> ComponentGroup:
    """Edit a component group."""
    group = get_group(group_id)
    before = _group_snapshot(group)
    for key, value in data.items():
        setattr(group, key, value)
    group.updated_at = utcnow()
    db.session.flush()
    b, a = audit.diff(before, _group_snapshot(group))
    if a:
        audit.record(actor, "component_group.updated", "component_group", group.id, before=b, after=a)
        _emit_group("updated", group)
    return group


def delete_group(actor: Actor, group_id: int) -> None:
    """Remove a group; its components stay, ungrouped."""
    group = get_group(group_id)
    audit.record(actor, "component_group.deleted", "component_group", group_id,
                 before=_group_snapshot(group))
    _emit_group("deleted", group)
    for component in group.components:
        component.group_id = None
    db.session.delete(group)
    db.session.flush()


def reorder(actor: Actor, model, ids: list[int], label: str) -> list:
    """Set positions 1..n in the given order; ``ids`` must list every (active) row exactly once."""
    stmt = select(model).where(Component.active) if model is Component else select(model)
    rows = {row.id: row for row in db.session.scalars(stmt)}
    if len(set(ids)) != len(ids) or set(ids) != set(rows):
        raise ValidationFailed({"ids": [f"List every {label} id exactly once "
                                        f"(expected {sorted(rows)})."]})
    before = {str(i): rows[i].position for i in ids}
    for position, row_id in enumerate(ids, start=1):
        rows[row_id].position = position
    db.session.flush()
    b, a = audit.diff(before, {str(i): rows[i].position for i in ids})
    if a:
        audit.record(actor, f"{label}.reordered", label, None, before=b, after=a)
        payload = {"action": "reordered", "kind": label, "ids": ids}
        outbox.record("COMPONENT_GROUP_UPDATED" if model is ComponentGroup else "COMPONENT_UPDATED",
                      payload, payload)
    return [rows[i] for i in ids]


def history(component_id: int, filters: dict, page: int, per_page: int) -> Page:
    """The component's status changes, newest first (the source of uptime figures)."""
    get(component_id)
    stmt = (select(ComponentStatusChange)
            .where(ComponentStatusChange.component_id == component_id)
            .order_by(ComponentStatusChange.changed_at.desc(), ComponentStatusChange.id.desc()))
    if filters.get("since") is not None:
        stmt = stmt.where(ComponentStatusChange.changed_at >= filters["since"])
    if filters.get("until") is not None:
        stmt = stmt.where(ComponentStatusChange.changed_at < filters["until"])
    return paginate(stmt, page, per_page)
