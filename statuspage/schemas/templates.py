"""Incident and update templates: input and output shapes."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.statuses import SEVERITIES
from .common import MAX_BODY, ComponentImpactSchema, StrictSchema, Title
from .incidents import Tag

KINDS = ("incident", "update")


class TemplateCreateSchema(StrictSchema):
    kind = fields.String(load_default="incident", validate=validate.OneOf(KINDS))
    name = Title(120, required=True)
    title = Title(min_length=0, load_default="")
    body = fields.String(load_default="", validate=validate.Length(max=MAX_BODY))
    severity = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(SEVERITIES))
    components = fields.List(fields.Nested(ComponentImpactSchema), load_default=list,
                             validate=validate.Length(max=100))
    tags = fields.List(Tag, load_default=list, validate=validate.Length(max=20))


class TemplateUpdateSchema(StrictSchema):
    # The kind is fixed at creation: an update template cannot turn into an incident one.
    name = Title(120)
    title = Title(min_length=0)
    body = fields.String(validate=validate.Length(max=MAX_BODY))
    severity = fields.String(allow_none=True, validate=validate.OneOf(SEVERITIES))
    components = fields.List(fields.Nested(ComponentImpactSchema), validate=validate.Length(max=100))
    tags = fields.List(Tag, validate=validate.Length(max=20))


class TemplateListArgs(StrictSchema):
    kind = fields.String(validate=validate.OneOf(KINDS))


class TemplateImpactSchema(Schema):
    id = fields.Integer()
    status = fields.String()


class TemplateSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    title = fields.String()
    body = fields.String()
    severity = fields.String(allow_none=True)
    components = fields.List(fields.Nested(TemplateImpactSchema))
    tags = fields.List(fields.String())
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
