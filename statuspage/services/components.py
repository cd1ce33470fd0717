"""Components and groups; every status change lands in the status history."""
from __future__ import annotations

from typing import Iterable, Optional

from sqlalchemy import exists, select

from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..models import (
    Component,
    ComponentGroup,
    ComponentStatusChange,
    IncidentComponent,
    IncidentUpdateComponent,
    utcnow,
)
from ..domain.statuses import page_indicator
from . import audit, events
from .context import Actor

_FIELDS = ("name", "description", "status", "position", "group_id")


def snapshot(component: Component) -> dict:
    return {f: getattr(component, f) for f in _FIELDS}


def get(component_id: int) -> Component:
    component = db.session.get(Component, component_id)
    if component is None:
        raise NotFound(f"Component {component_id} does not exist.")
    return component


def get_many(ids: Iterable[int], field: str = "components") -> dict[int, Component]:
    """Load components by id; unknown ids are a validation error on ``field``."""
    ids = list(dict.fromkeys(ids))
    found = {c.id: c for c in db.session.scalars(select(Component).where(Component.id.in_(ids)))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationFailed({field: [f"Unknown component id(s): {missing}"]})
    return found


def list_all() -> list[Component]:
    return list(db.session.scalars(select(Component).order_by(Component.position, Component.id)))


def list_groups() -> list[ComponentGroup]:
    return list(db.session.scalars(select(ComponentGroup).order_by(ComponentGroup.position, ComponentGroup.id)))


def overall_status() -> dict:
    """The page's overall status from current component statuses."""
    statuses = db.session.scalars(select(Component.status)).all()
    indicator, description = page_indicator(statuses)
    return {"indicator": indicator, "description": description}


def public_view(component: Component) -> dict:
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
               "to": status, "incident_id": incident_id, "page": overall_status()}
    events.record("COMPONENT_STATUS_CHANGED", payload, payload)
    return change


def _check_group(group_id: Optional[int]) -> None:
    if group_id is not None and db.session.get(ComponentGroup, group_id) is None:
        raise ValidationFailed({"group_id": [f"Unknown component group id: {group_id}"]})


def _next_position(model) -> int:
    current = db.session.scalar(select(db.func.max(model.position)))
    return (current or 0) + 1


def create(actor: Actor, data: dict) -> Component:
    _check_group(data.get("group_id"))
    status = data.pop("status", "operational")
    component = Component(status="operational", **data)
    if "position" not in data:
        component.position = _next_position(Component)
    db.session.add(component)
    db.session.flush()
    set_status(component, status, actor)
    audit.record(actor, "component.created", "component", component.id, after=snapshot(component))
    return component


def update(actor: Actor, component_id: int, data: dict) -> Component:
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
    return component


def delete(actor: Actor, component_id: int) -> None:
    component = get(component_id)
    referenced = db.session.scalar(
        select(
            exists().where(IncidentComponent.component_id == component_id)
            | exists().where(IncidentUpdateComponent.component_id == component_id)
        )
    )
    if referenced:
        raise Conflict(
            f"Component {component_id} is referenced by incidents; "
            "remove it from those incidents first or keep it."
        )
    audit.record(actor, "component.deleted", "component", component_id, before=snapshot(component))
    db.session.delete(component)
    db.session.flush()


def create_group(actor: Actor, data: dict) -> ComponentGroup:
    group = ComponentGroup(**data)
    if "position" not in data:
        group.position = _next_position(ComponentGroup)
    db.session.add(group)
    db.session.flush()
    audit.record(actor, "component_group.created", "component_group", group.id, after=data)
    return group


def get_group(group_id: int) -> ComponentGroup:
    group = db.session.get(ComponentGroup, group_id)
    if group is None:
        raise NotFound(f"Component group {group_id} does not exist.")
    return group


def update_group(actor: Actor, group_id: int, data: dict) -> ComponentGroup:
    group = get_group(group_id)
    before = {k: getattr(group, k) for k in data}
    for key, value in data.items():
        setattr(group, key, value)
    db.session.flush()
    audit.record(actor, "component_group.updated", "component_group", group.id, before=before, after=data)
    return group


def delete_group(actor: Actor, group_id: int) -> None:
    group = get_group(group_id)
    audit.record(actor, "component_group.deleted", "component_group", group_id, before={"name": group.name})
    for component in group.components:
        component.group_id = None
    db.session.delete(group)
    db.session.flush()
