"""Alert senders as integration kinds (alertmanager, grafana, webhook) and ingest output."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.statuses import COMPONENT_STATUSES, VISIBILITIES
from .integrations import IntegrationInput, register_kind

DEFAULT_SEVERITY_MAP = {"critical": "major_outage", "error": "partial_outage",
                        "warning": "degraded_performance"}


class AlertSourceInput(IntegrationInput):
    """A sender that posts alerts to a generated secret URL (hashed at rest)."""

    SECRET_STORAGE = "hashed"
    GENERATE_SECRET = True
    INGEST = True

    component_label = fields.String(load_default="component", validate=validate.Length(min=1, max=120))
    severity_map = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=60)),
        values=fields.String(validate=validate.OneOf(COMPONENT_STATUSES)),
        load_default=lambda: dict(DEFAULT_SEVERITY_MAP), validate=validate.Length(max=50))
    open_incident = fields.Boolean(load_default=False)
    incident_visibility = fields.String(load_default="internal", validate=validate.OneOf(VISIBILITIES))


for _kind in ("alertmanager", "grafana", "webhook"):
    register_kind(_kind, AlertSourceInput)


class IngestResultSchema(Schema):
    alerts = fields.Integer()
    changes = fields.List(fields.Dict())
    incidents = fields.List(fields.Dict())
    problems = fields.List(fields.String())


class IngestRecordSchema(Schema):
    id = fields.Integer()
    received_at = fields.DateTime()
    outcome = fields.String()
    changes = fields.List(fields.Dict())
    problems = fields.List(fields.String())
    excerpt = fields.String()
