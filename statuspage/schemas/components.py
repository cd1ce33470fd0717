"""Components and groups: input and output shapes."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.statuses import COMPONENT_STATUSES
from .common import Id, PaginationArgs, StrictSchema, UtcDateTime


class ComponentSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String()
    status = fields.String()
    position = fields.Integer()
    group_id = fields.Integer(allow_none=True)
    archived_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ComponentListArgs(StrictSchema):
    archived = fields.Boolean(load_default=False)


class OrphanedSubscriberSchema(Schema):
    id = fields.Integer()
    email = fields.String()


class ComponentArchivedSchema(ComponentSchema):
    """The archived component, and the subscribers it leaves with nothing to follow."""

    orphaned_subscribers = fields.List(fields.Nested(OrphanedSubscriberSchema))


class ComponentCreateSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    status = fields.String(load_default="operational", validate=validate.OneOf(COMPONENT_STATUSES))
    position = fields.Integer(strict=True, validate=validate.Range(min=0, max=100_000))
    group_id = Id(allow_none=True)


class ComponentUpdateSchema(ComponentCreateSchema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    description = fields.String(validate=validate.Length(max=2000))
    status = fields.String(validate=validate.OneOf(COMPONENT_STATUSES))


class ComponentGroupSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String()
    position = fields.Integer()
    components = fields.List(fields.Nested(ComponentSchema), attribute="active_components")


class ComponentGroupCreateSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    position = fields.Integer(strict=True, validate=validate.Range(min=0, max=100_000))


class ComponentGroupUpdateSchema(ComponentGroupCreateSchema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    description = fields.String(validate=validate.Length(max=2000))


class ReorderSchema(StrictSchema):
    ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=1000))


class ComponentHistoryArgs(PaginationArgs):
    since = UtcDateTime()
    until = UtcDateTime()


class ComponentStatusChangeSchema(Schema):
    id = fields.Integer()
    component_id = fields.Integer()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    changed_at = fields.DateTime()
    incident_id = fields.Integer(allow_none=True)
    maintenance_id = fields.Integer(allow_none=True)
    actor = fields.String(attribute="actor_label")
