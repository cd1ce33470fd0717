"""The incident domain: create, edit, transition, post updates (no HTTP here).

Every public function works inside the caller's transaction: it flushes, adds
its audit event and outbox event, and leaves the commit to the unit of work.
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy import func, or_, select, update

from ..domain.incident_lifecycle import STATUS_TIMESTAMP, allowed_next, can_transition, is_reopen
from ..errors import BadRequest, Conflict, InvalidTransition, NotFound, ValidationFailed
from ..extensions import db
from ..models import (
    Incident,
    IncidentComponent,
    IncidentTag,
    IncidentUpdate,
    IncidentUpdateComponent,
    User,
    utcnow,
)
from . import audit, components, templates
from .context import Actor
from .incident_events import emit
from .pagination import Page, contains, paginate

_AUDITED = ("title", "summary", "severity", "status", "visibility", "tags", "components",
            "commander_id", "next_update_at")


_KEEP = object()  # "leave as it is" for optional arguments where None means "clear"


def snapshot(incident: Incident) -> dict:
    """The audited fields of an incident."""
    data = {f: getattr(incident, f) for f in _AUDITED if f not in ("components",)}
    data["components"] = sorted(
        ({"id": c.component_id, "status": c.status} for c in incident.components),
        key=lambda c: c["id"],
    )
    return data


def get(incident_id: int) -> Incident:
    """One incident (404 when there is none)."""
    incident = db.session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"Incident {incident_id} does not exist.")
    return incident


def list_incidents(filters: dict, page: int = 1, per_page: int = 25) -> Page:
    """Incidents newest first, filtered by q / status / severity / tag / component."""
    stmt = select(Incident).order_by(Incident.created_at.desc(), Incident.id.desc())
    if q := filters.get("q"):
        stmt = stmt.where(or_(contains(Incident.title, q), contains(Incident.summary, q)))
    if status := filters.get("status"):
        stmt = stmt.where(Incident.status != "resolved" if status == "active"
                          else Incident.status == status)
    if severity := filters.get("severity"):
        stmt = stmt.where(Incident.severity == severity)
    if visibility := filters.get("visibility"):
        stmt = stmt.where(Incident.visibility == visibility)
    if tag := filters.get("tag"):
        stmt = stmt.where(Incident.tag_rows.any(IncidentTag.tag == tag.lower()))
    if component := filters.get("component"):
        stmt = stmt.where(Incident.components.any(IncidentComponent.component_id == component))
    return paginate(stmt, page, per_page)


def _normalise_tags(tags: list[str]) -> list[str]:
    return sorted({t.strip().lower() for t in tags if t.strip()})


def _check_commander(commander_id: Optional[int]) -> None:
    if commander_id is not None and db.session.get(User, commander_id) is None:
        raise ValidationFailed({"commander_id": [f"Unknown user id: {commander_id}"]})


def _set_components(incident: Incident, impacts: list[dict], actor: Actor) -> None:
    """Replace the affected components and apply the statuses they cause now."""
    found = components.get_many((i["id"] for i in impacts),
                                already=[c.component_id for c in incident.components])
    incident.components = [IncidentComponent(component_id=i["id"], status=i["status"]) for i in impacts]
    if incident.is_active:
        for impact in impacts:
            components.set_status(found[impact["id"]], impact["status"], actor, incident_id=incident.id)


def _add_update(incident: Incident, actor: Actor, *, kind: str, body: str,
                visibility: str = "public", notify: bool = True) -> IncidentUpdate:
    entry = IncidentUpdate(
        incident=incident, kind=kind, body=body, visibility=visibility, status=incident.status,
        author_id=actor.user_id, author_label=actor.label, notify=notify, created_at=utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def create(actor: Actor, data: dict) -> Incident:
    """Declare an incident (optionally prefilled from a template; explicit fields win)."""
    if template_id := data.pop("template_id", None):
        data = templates.prefill(template_id, "incident", data)
    missing = {f: ["Missing data for required field."] for f in ("title", "severity") if not data.get(f)}
    if missing:
        raise ValidationFailed(missing)
    _check_commander(data.get("commander_id"))
    notify = data.get("notify", True)
    incident = Incident(
        title=data["title"], summary=data.get("summary", ""), severity=data["severity"],
        visibility=data.get("visibility", "public"), commander_id=data.get("commander_id"),
        next_update_at=data.get("next_update_at"), status="investigating",
    )
    incident.tag_rows = [IncidentTag(tag=t) for t in _normalise_tags(data.get("tags", []))]
    db.session.add(incident)
    db.session.flush()
    _set_components(incident, data.get("components", []), actor)
    entry = _add_update(incident, actor, kind="created", body=incident.summary, notify=notify)
    audit.record(actor, "incident.created", "incident", incident.id, after=snapshot(incident))
    emit("INCIDENT_CREATED", incident, entry, notify=notify)
    return incident


def patch(actor: Actor, incident_id: int, data: dict) -> Incident:
    """Partial update of descriptive fields; status moves only through :func:`transition`."""
    if "status" in data:
        raise BadRequest(
            f"Status cannot be patched; POST /api/incidents/{incident_id}/transition instead.",
            transition_url=f"/api/incidents/{incident_id}/transition",
        )
    incident = get(incident_id)
    before = snapshot(incident)
    if "commander_id" in data:
        _check_commander(data["commander_id"])
    if "tags" in data:
        incident.tag_rows = [IncidentTag(tag=t) for t in _normalise_tags(data.pop("tags"))]
    if "components" in data:
        _set_components(incident, data.pop("components"), actor)
    for key, value in data.items():
        setattr(incident, key, value)
    incident.updated_at = utcnow()
    db.session.flush()
    b, a = audit.diff(before, snapshot(incident))
    if a:
        audit.record(actor, "incident.updated", "incident", incident.id, before=b, after=a)
        emit("INCIDENT_UPDATED", incident, changed=sorted(a))
    return incident


def _release_components(incident: Incident, actor: Actor) -> None:
    """On resolve: components this incident degraded go back to operational,
    unless another active incident still affects them."""
    for impact in incident.components:
        still_affected = db.session.scalar(
            select(func.count()).select_from(IncidentComponent).join(Incident).where(
                IncidentComponent.component_id == impact.component_id,
                Incident.id != incident.id,
                Incident.status != "resolved",
            )
        )
        if not still_affected and impact.component.status != "under_maintenance":
            components.set_status(impact.component, "operational", actor, incident_id=incident.id)


def transition(actor: Actor, incident_id: int, to: str, message: str = "",
               visibility: str = "public", notify: bool = True, *, impacts: tuple = (),
               next_update_at=_KEEP) -> Incident:
    """Move an incident along the lifecycle; racing transitions: one wins, the other 409s.

    ``impacts`` move component statuses with the same timeline entry and
    ``next_update_at`` (None clears it) sets the promise of the next update.
    """
    incident = get(incident_id)
    current, seen_version = incident.status, incident.version
    if not can_transition(current, to):
        raise InvalidTransition(current, to, allowed_next(current))
    now = utcnow()
    values = {"status": to, "version": seen_version + 1, "updated_at": now}
    if column := STATUS_TIMESTAMP.get(to):
        values[column] = now
    if is_reopen(current, to):
        values["reopen_count"] = incident.reopen_count + 1
        values["resolved_at"] = None
    # Compare-and-set on (status, version): the loser of a race updates no row.
    result = db.session.execute(
        update(Incident)
        .where(Incident.id == incident_id, Incident.status == current, Incident.version == seen_version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(incident)
        if not can_transition(incident.status, to):
            raise InvalidTransition(incident.status, to, allowed_next(incident.status))
        raise Conflict("The incident changed meanwhile; retry.")
    db.session.refresh(incident)
    if to == "resolved":
        _release_components(incident, actor)
    elif is_reopen(current, to):
        for impact in incident.components:
            components.set_status(impact.component, impact.status, actor, incident_id=incident.id)
    entry = _add_update(incident, actor, kind="transition", body=message,
                        visibility=visibility, notify=notify)
    _apply_impacts(incident, entry, list(impacts), actor)
    if next_update_at is not _KEEP:
        incident.next_update_at = next_update_at
    db.session.flush()
    audit.record(actor, "incident.transitioned", "incident", incident.id,
                 before={"status": current}, after={"status": to})
    emit("INCIDENT_STATUS_CHANGED", incident, entry, notify=notify, previous_status=current)
    return incident


def _apply_impacts(incident: Incident, entry: IncidentUpdate, impacts: list[dict], actor: Actor) -> None:
    """Move component statuses with a timeline entry, recording each change on it."""
    found = components.get_many((i["id"] for i in impacts),
                                already=[c.component_id for c in incident.components])
    for impact in impacts:
        component = found[impact["id"]]
        entry.component_changes.append(IncidentUpdateComponent(
            component_id=component.id, old_status=component.status, new_status=impact["status"]))
        components.set_status(component, impact["status"], actor, incident_id=incident.id)
        existing = next((c for c in incident.components if c.component_id == component.id), None)
        if existing:
            existing.status = impact["status"]
        else:
            incident.components.append(IncidentComponent(component_id=component.id, status=impact["status"]))


def post_update(actor: Actor, incident_id: int, data: dict) -> IncidentUpdate:
    """Add a timeline entry, optionally moving component statuses with it."""
    incident = get(incident_id)
    if template_id := data.pop("template_id", None):
        data = templates.prefill(template_id, "update", data)
    if not data.get("body"):
        raise ValidationFailed({"body": ["Missing data for required field."]})
    notify = data.get("notify", True)
    entry = _add_update(incident, actor, kind="update", body=data["body"],
                        visibility=data.get("visibility", "public"), notify=notify)
    _apply_impacts(incident, entry, data.get("components") or [], actor)
    if "next_update_at" in data:
        incident.next_update_at = data["next_update_at"]
    incident.updated_at = utcnow()
    db.session.flush()
    audit.record(actor, "incident.update_posted", "incident", incident.id,
                 after={"update_id": entry.id, "visibility": entry.visibility, "body": entry.body,
                        "components": [{"id": c.component_id, "from": c.old_status,
                                        "to": c.new_status} for c in entry.component_changes]})
    emit("INCIDENT_UPDATE_POSTED", incident, entry, notify=notify)
    return entry


def list_updates(incident_id: int, page: int = 1, per_page: int = 100) -> Page:
    """An incident's timeline, oldest first."""
    get(incident_id)
    stmt = select(IncidentUpdate).where(IncidentUpdate.incident_id == incident_id).order_by(IncidentUpdate.id)
    return paginate(stmt, page, per_page)


def respond(actor: Actor, incident_id: int, data: dict) -> Incident:
    """One responder update: a status change (with its message) or a plain update,
    moving components and the next-update promise with the same timeline entry."""
    incident = get(incident_id)
    to = data.pop("status", None) or incident.status
    if to == incident.status:
        post_update(actor, incident_id, data)
        return incident
    if template_id := data.pop("template_id", None):
        data = templates.prefill(template_id, "update", data)
    extra = {"next_update_at": data["next_update_at"]} if "next_update_at" in data else {}
    return transition(actor, incident_id, to, data.get("body", ""), data.get("visibility", "public"),
                      data.get("notify", True), impacts=data.get("components") or (), **extra)
