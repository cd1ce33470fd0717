"""Postmortems: one per incident, drafted by responders, published once resolved.

Publishing is the only step the public and subscribers ever see; drafts and
edits travel on the admin stream only.
"""
from __future__ import annotations

from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..models import Incident, Postmortem, utcnow
from . import audit, outbox, incidents
from .context import Actor
from .incident_events import admin_incident, public_incident

SECTIONS = ("summary", "impact", "root_cause", "resolution", "lessons")


def _iso(value):
    return value.isoformat() if value else None


def snapshot(postmortem: Postmortem) -> dict:
    """The audited fields of a postmortem."""
    return {f: getattr(postmortem, f) for f in SECTIONS + ("status",)}


def public_view(postmortem: Postmortem, incident: Incident) -> dict:
    """What the public page may show: the sections, never the author."""
    return {"incident_id": incident.id, "incident_title": incident.title,
            "published_at": _iso(postmortem.published_at),
            **{f: getattr(postmortem, f) for f in SECTIONS}}


def admin_view(postmortem: Postmortem, incident: Incident) -> dict:
    """A postmortem as the admin stream carries it."""
    return {**public_view(postmortem, incident), "id": postmortem.id,
            "status": postmortem.status, "visibility": incident.visibility}


def find(incident_id: int) -> Postmortem | None:
    """The incident's postmortem, or None."""
    return db.session.query(Postmortem).filter_by(incident_id=incident_id).one_or_none()


def get(incident_id: int) -> Postmortem:
    """The incident's postmortem (404 for an unknown incident or a missing postmortem)."""
    incidents.get(incident_id)  # 404 for the incident first: the clearer message
    postmortem = find(incident_id)
    if postmortem is None:
        raise NotFound(f"Incident {incident_id} has no postmortem yet; POST one to start a draft.")
    return postmortem


def _emit_draft(action: str, postmortem: Postmortem, incident: Incident, changed=()) -> None:
    """Draft edits go to the admin stream; edits to a published one also reach the public."""
    payload = {"action": action, "postmortem": admin_view(postmortem, incident),
               "changed": sorted(changed)}
    public = None
    if postmortem.status == "published" and incident.visibility == "public":
        public = {"action": action, "postmortem": public_view(postmortem, incident),
                  "changed": sorted(changed)}
    outbox.record("POSTMORTEM_UPDATED", payload, public, incident_id=incident.id)


def create(actor: Actor, incident_id: int, data: dict) -> Postmortem:
    """Start the incident's postmortem as a draft."""
    incident = incidents.get(incident_id)
    if find(incident_id) is not None:
        raise Conflict(f"Incident {incident_id} already has a postmortem; PATCH it instead.")
    postmortem = Postmortem(incident_id=incident.id, author_id=actor.user_id, status="draft",
                            **{f: data.get(f, "") for f in SECTIONS})
    db.session.add(postmortem)
    db.session.flush()
    audit.record(actor, "postmortem.created", "postmortem", postmortem.id,
                 after={"incident_id": incident.id, **snapshot(postmortem)})
    _emit_draft("created", postmortem, incident, changed=[f for f in SECTIONS if data.get(f)])
    return postmortem


def update(actor: Actor, incident_id: int, data: dict) -> Postmortem:
    """Edit a postmortem's sections."""
    postmortem = get(incident_id)
    before = snapshot(postmortem)
    for key, value in data.items():
        setattr(postmortem, key, value)
    postmortem.updated_at = utcnow()
    db.session.flush()
    b, a = audit.diff(before, snapshot(postmortem))
    if a:
        audit.record(actor, "postmortem.updated", "postmortem", postmortem.id, before=b, after=a)
        _emit_draft("updated", postmortem, postmortem_incident(postmortem), changed=a)
    return postmortem


def postmortem_incident(postmortem: Postmortem) -> Incident:
    """The incident a postmortem belongs to."""
    return db.session.get(Incident, postmortem.incident_id)


def publish(actor: Actor, incident_id: int) -> Postmortem:
    """Publish once the incident is resolved; publishing again changes and sends nothing."""
    postmortem = get(incident_id)
    if postmortem.status == "published":
        return postmortem
    incident = postmortem_incident(postmortem)
    if incident.status != "resolved":
        raise Conflict(f"Incident {incident_id} is '{incident.status}'; resolve it before "
                       "publishing its postmortem.", incident_status=incident.status)
    if not postmortem.summary.strip():
        raise ValidationFailed({"summary": ["Write a summary before publishing."]})
    # Compare-and-set so two concurrent publishes make exactly one event.
    claimed = db.session.query(Postmortem).filter_by(id=postmortem.id, status="draft").update(
        {"status": "published", "published_at": utcnow(), "updated_at": utcnow()},
        synchronize_session=False)
    db.session.refresh(postmortem)
    if claimed != 1:
        return postmortem
    audit.record(actor, "postmortem.published", "postmortem", postmortem.id,
                 before={"status": "draft"},
                 after={"status": "published", "published_at": postmortem.published_at})
    public = None
    if incident.visibility == "public":
        # The incident rides along so pages and emails can name and link it.
        public = {"incident": public_incident(incident), "postmortem": public_view(postmortem, incident),
                  "url": f"/status/incidents/{incident.id}/postmortem"}
    outbox.record("POSTMORTEM_PUBLISHED", {"incident": admin_incident(incident),
                                           "postmortem": admin_view(postmortem, incident)},
                  public, incident_id=incident.id, notify=public is not None)
    return postmortem
