"""Incidents, transitions and timeline updates: input and output shapes."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.incident_lifecycle import allowed_next
from ..domain.statuses import INCIDENT_STATUSES, SEVERITIES, SEVERITY_IMPACT, VISIBILITIES
from .common import (MAX_BODY, MAX_ID, ComponentImpactSchema, Id, PaginationArgs, StrictSchema,
                     Title, UtcDateTime)

Tag = fields.String(validate=[validate.Length(min=1, max=50), validate.Regexp(r"^[\w .:/-]+$")])


_AwareDateTime = UtcDateTime


class IncidentCreateSchema(StrictSchema):
    title = Title()
    # No load_default: an absent summary must let a template's body fill it.
    summary = fields.String(validate=validate.Length(max=MAX_BODY))
    severity = fields.String(validate=validate.OneOf(SEVERITIES))
    tags = fields.List(Tag, validate=validate.Length(max=20))
    visibility = fields.String(load_default="public", validate=validate.OneOf(VISIBILITIES))
    components = fields.List(fields.Nested(ComponentImpactSchema), validate=validate.Length(max=100))
    commander_id = Id(allow_none=True)
    next_update_at = _AwareDateTime(allow_none=True)
    template_id = Id()
    notify = fields.Boolean(load_default=True)


class IncidentPatchSchema(StrictSchema):
    # Accepted only so the service can answer 400 pointing at /transition.
    status = fields.String(metadata={"description": "Refused: use the transition endpoint."})
    title = Title()
    summary = fields.String(validate=validate.Length(max=MAX_BODY))
    severity = fields.String(validate=validate.OneOf(SEVERITIES))
    tags = fields.List(Tag, validate=validate.Length(max=20))
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES))
    components = fields.List(fields.Nested(ComponentImpactSchema), validate=validate.Length(max=100))
    commander_id = Id(allow_none=True)
    next_update_at = _AwareDateTime(allow_none=True)


class TransitionSchema(StrictSchema):
    to = fields.String(required=True, validate=validate.OneOf(INCIDENT_STATUSES))
    message = fields.String(load_default="", validate=validate.Length(max=MAX_BODY))
    visibility = fields.String(load_default="public", validate=validate.OneOf(VISIBILITIES))
    notify = fields.Boolean(load_default=True)


class UpdateCreateSchema(StrictSchema):
    body = fields.String(validate=validate.Length(min=1, max=MAX_BODY))
    visibility = fields.String(load_default="public", validate=validate.OneOf(VISIBILITIES))
    notify = fields.Boolean(load_default=True)
    components = fields.List(fields.Nested(ComponentImpactSchema), validate=validate.Length(max=100))
    template_id = Id()
    # "Next update by HH:MM": an update usually promises the next one (null clears it).
    next_update_at = _AwareDateTime(allow_none=True)


class ComposeSchema(StrictSchema):
    """The console's one update form: a status (the current one or an allowed next one),
    a message, component impacts, visibility, notify and the next-update promise."""
    status = fields.String(validate=validate.OneOf(INCIDENT_STATUSES))
    body = fields.String(validate=validate.Length(max=MAX_BODY))
    visibility = fields.String(load_default="public", validate=validate.OneOf(VISIBILITIES))
    notify = fields.Boolean(load_default=True)
    components = fields.List(fields.Nested(ComponentImpactSchema), validate=validate.Length(max=100))
    template_id = Id()
    next_update_at = _AwareDateTime(allow_none=True)


class IncidentListArgs(PaginationArgs):
    q = fields.String(validate=validate.Length(max=200))
    status = fields.String(validate=validate.OneOf(INCIDENT_STATUSES + ("active",)))
    severity = fields.String(validate=validate.OneOf(SEVERITIES))
    tag = fields.String(validate=validate.Length(max=50))
    component = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES))


class AffectedComponentSchema(Schema):
    id = fields.Function(lambda row: row.component_id)
    name = fields.Function(lambda row: row.component.name)
    status = fields.String()


class ComponentChangeSchema(Schema):
    id = fields.Function(lambda row: row.component_id)
    name = fields.Function(lambda row: row.component.name)
    old_status = fields.String()
    new_status = fields.String()


class UpdateSchema(Schema):
    id = fields.Integer()
    incident_id = fields.Integer()
    kind = fields.String()
    body = fields.String()
    visibility = fields.String()
    status = fields.String()
    author = fields.String(attribute="author_label")
    notify = fields.Boolean()
    created_at = fields.DateTime()
    components = fields.List(fields.Nested(ComponentChangeSchema), attribute="component_changes")


class UserRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class IncidentSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    summary = fields.String()
    severity = fields.String()
    impact = fields.Function(lambda inc: SEVERITY_IMPACT[inc.severity])
    status = fields.String()
    visibility = fields.String()
    tags = fields.List(fields.String())
    components = fields.List(fields.Nested(AffectedComponentSchema))
    commander = fields.Nested(UserRefSchema, allow_none=True)
    reopen_count = fields.Integer()
    next_update_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    identified_at = fields.DateTime(allow_none=True)
    monitoring_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    allowed_transitions = fields.Function(lambda inc: allowed_next(inc.status))


class IncidentDetailSchema(IncidentSchema):
    updates = fields.List(fields.Nested(UpdateSchema))
