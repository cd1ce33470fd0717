"""Incident and update templates: CRUD and prefilling new incidents and updates."""
from __future__ import annotations

from sqlalchemy import select

from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..models import IncidentTemplate, utcnow
from . import audit, components
from .context import Actor

FIELDS = ("kind", "name", "title", "body", "severity", "components", "tags")
# Fields that only make sense when opening an incident.
_INCIDENT_ONLY = ("title", "severity", "tags")


def snapshot(template: IncidentTemplate) -> dict:
    """The audited fields of a template."""
    return {f: getattr(template, f) for f in FIELDS}


def list_all(kind: str | None = None) -> list[IncidentTemplate]:
    """Templates (of one kind), by kind and name."""
    stmt = select(IncidentTemplate).order_by(IncidentTemplate.kind, IncidentTemplate.name,
                                             IncidentTemplate.id)
    if kind:
        stmt = stmt.where(IncidentTemplate.kind == kind)
    return list(db.session.scalars(stmt))


def get(template_id: int) -> IncidentTemplate:
    """One template (404 when there is none)."""
    template = db.session.get(IncidentTemplate, template_id)
    if template is None:
        raise NotFound(f"Template {template_id} does not exist.")
    return template


def _validate(kind: str, data: dict) -> None:
    if kind == "update":
        extra = {f: ["Only incident templates carry this field."]
                 for f in _INCIDENT_ONLY if data.get(f)}
        if extra:
            raise ValidationFailed(extra)
    if data.get("components"):
        components.get_many((c["id"] for c in data["components"]), field="components")
    if "tags" in data:
        data["tags"] = sorted({t.strip().lower() for t in data["tags"] if t.strip()})


def create(actor: Actor, data: dict) -> IncidentTemplate:
    """Add a template."""
    _validate(data["kind"], data)
    template = IncidentTemplate(**{"components": [], "tags": [], **data})
    db.session.add(template)
    db.session.flush()
    audit.record(actor, "template.created", "template", template.id, after=snapshot(template))
    return template


def update(actor: Actor, template_id: int, data: dict) -> IncidentTemplate:
    """Edit a template."""
    template = get(template_id)
    _validate(template.kind, {**snapshot(template), **data})
    _validate(template.kind, data)  # normalises the tags actually written
    before = snapshot(template)
    for key, value in data.items():
        setattr(template, key, value)
    template.updated_at = utcnow()
    db.session.flush()
    b, a = audit.diff(before, snapshot(template))
    if a:
        audit.record(actor, "template.updated", "template", template.id, before=b, after=a)
    return template


def delete(actor: Actor, template_id: int) -> None:
    """Remove a template."""
    template = get(template_id)
    audit.record(actor, "template.deleted", "template", template.id, before=snapshot(template))
    db.session.delete(template)
    db.session.flush()


def prefill(template_id: int, kind: str, data: dict) -> dict:
    """Fill missing fields of ``data`` from a template of ``kind``; explicit fields win."""
    template = db.session.get(IncidentTemplate, template_id)
    if template is None or template.kind != kind:
        raise ValidationFailed({"template_id": [f"Unknown {kind} template id: {template_id}"]})
    defaults = {"body": template.body, "components": template.components}
    if kind == "incident":
        defaults = {"title": template.title, "summary": template.body,
                    "severity": template.severity, "components": template.components,
                    "tags": template.tags}
    merged = {k: v for k, v in defaults.items() if v}
    merged.update(data)
    return merged
