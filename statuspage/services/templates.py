"""Incident and update templates."""
from __future__ import annotations

from ..errors import ValidationFailed
from ..extensions import db
from ..models import IncidentTemplate


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
