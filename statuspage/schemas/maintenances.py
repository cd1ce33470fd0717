"""Scheduled maintenance: input and output shapes."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.statuses import MAINTENANCE_STATUSES
from .common import MAX_BODY, Id, PaginationArgs, StrictSchema, Title, UtcDateTime

_When = UtcDateTime
_ComponentIds = lambda **kw: fields.List(Id(), validate=validate.Length(max=100), **kw)  # noqa: E731


class MaintenanceCreateSchema(StrictSchema):
    title = Title(required=True)
    description = fields.String(load_default="", validate=validate.Length(max=MAX_BODY))
    starts_at = _When(required=True)
    ends_at = _When(required=True)
    component_ids = _ComponentIds(load_default=list)


class MaintenanceUpdateSchema(StrictSchema):
    title = Title()
    description = fields.String(validate=validate.Length(max=MAX_BODY))
    starts_at = _When()
    ends_at = _When()
    component_ids = _ComponentIds()
    # Accepted only so the service can answer 422 pointing at /transition.
    status = fields.String(metadata={"description": "Refused: use the transition endpoint."})


class MaintenanceTransitionSchema(StrictSchema):
    to = fields.String(required=True, validate=validate.OneOf(MAINTENANCE_STATUSES))


class MaintenanceListArgs(PaginationArgs):
    status = fields.String(validate=validate.OneOf(MAINTENANCE_STATUSES + ("active",)))


class MaintenanceComponentSchema(Schema):
    id = fields.Function(lambda row: row.component_id)
    name = fields.Function(lambda row: row.component.name)
    status = fields.Function(lambda row: row.component.status)
    prior_status = fields.String(allow_none=True)


class MaintenanceSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    status = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    components = fields.List(fields.Nested(MaintenanceComponentSchema))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
