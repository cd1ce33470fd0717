"""Bulk work on components: every one back to operational at once, and moving one up or down."""
from __future__ import annotations

from sqlalchemy import select

from ..errors import ValidationFailed
from ..extensions import db
from ..models import Component
from . import audit, components
from .context import Actor


def all_operational(actor: Actor) -> list[Component]:
    """Set every component on the page that is degraded or down back to operational, as
    one audited change (components under maintenance stay: their window ends them)."""
    hit = list(db.session.scalars(select(Component).where(
        Component.active, Component.status.not_in(("operational", "under_maintenance")))
        .order_by(Component.position, Component.id)))
    if not hit:
        return []
    before = {str(c.id): c.status for c in hit}
    for component in hit:
        components.set_status(component, "operational", actor)
    audit.record(actor, "component.all_operational", "component", None,
                 before=before, after={key: "operational" for key in before})
    return hit


def move(actor: Actor, component_id: int, direction: str) -> list[Component]:
    """Swap a component with its neighbour in the same group (``up`` or ``down``)."""
    if direction not in ("up", "down"):
        raise ValidationFailed({"direction": ["Must be up or down."]})
    target = components.get(component_id)
    ordered = list(db.session.scalars(select(Component).where(Component.active)
                                      .order_by(Component.position, Component.id)))
    siblings = [c for c in ordered if c.group_id == target.group_id]
    index = siblings.index(target)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(siblings):
        return ordered  # already first or last: nothing to do
    other = siblings[other_index]
    ids = [c.id for c in ordered]
    i, j = ids.index(target.id), ids.index(other.id)
    ids[i], ids[j] = ids[j], ids[i]
    return components.reorder(actor, Component, ids, "component")
