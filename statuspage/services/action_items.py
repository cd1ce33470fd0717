"""Action items: the follow-up work a postmortem commits to."""
from __future__ import annotations

from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..models import ActionItem, Postmortem, utcnow
from . import audit, outbox, postmortems
from .context import Actor

FIELDS = ("title", "owner", "due_date", "priority", "status")


def snapshot(item: ActionItem) -> dict:
    """The audited fields of an action item."""
    return {f: getattr(item, f) for f in FIELDS}


def view(item: ActionItem) -> dict:
    """An action item as the API and the live stream show it."""
    data = audit._jsonable(snapshot(item))
    return {"id": item.id, "postmortem_id": item.postmortem_id, **data}


def _emit(action: str, item: ActionItem, incident_id: int) -> None:
    # Action items are internal follow-up work: admin stream only.
    outbox.record("ACTION_ITEM_CHANGED", {"action": action, "incident_id": incident_id,
                                          "action_item": view(item)}, incident_id=incident_id)


def list_for(incident_id: int) -> list[ActionItem]:
    """The action items of an incident's postmortem, oldest first."""
    postmortem = postmortems.get(incident_id)
    return list(db.session.scalars(
        select(ActionItem).where(ActionItem.postmortem_id == postmortem.id).order_by(ActionItem.id)))


def get(item_id: int) -> ActionItem:
    """One action item (404 when there is none)."""
    item = db.session.get(ActionItem, item_id)
    if item is None:
        raise NotFound(f"Action item {item_id} does not exist.")
    return item


def _incident_id(item: ActionItem) -> int:
    return db.session.get(Postmortem, item.postmortem_id).incident_id


def create(actor: Actor, incident_id: int, data: dict) -> ActionItem:
    """Add an action item to an incident's postmortem."""
    postmortem = postmortems.get(incident_id)
    item = ActionItem(postmortem_id=postmortem.id, **data)
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "action_item.created", "action_item", item.id,
                 after={"incident_id": incident_id, **snapshot(item)})
    _emit("created", item, incident_id)
    return item


def update(actor: Actor, item_id: int, data: dict) -> ActionItem:
    """Edit an action item's fields."""
    item = get(item_id)
    before = snapshot(item)
    for key, value in data.items():
        setattr(item, key, value)
    item.updated_at = utcnow()
    db.session.flush()
    b, a = audit.diff(before, snapshot(item))
    if a:
        audit.record(actor, "action_item.updated", "action_item", item.id, before=b, after=a)
        _emit("updated", item, _incident_id(item))
    return item


def delete(actor: Actor, item_id: int) -> None:
    """Remove an action item."""
    item = get(item_id)
    incident_id = _incident_id(item)
    audit.record(actor, "action_item.deleted", "action_item", item.id, before=snapshot(item))
    _emit("deleted", item, incident_id)
    db.session.delete(item)
    db.session.flush()


def incident_id_of(item: ActionItem) -> int:
    """The incident whose postmortem holds this item."""
    return _incident_id(item)
