"""Postmortems and action items: input and output shapes."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.statuses import ACTION_ITEM_PRIORITIES, ACTION_ITEM_STATUSES
from .common import MAX_BODY, StrictSchema

_Section = lambda: fields.String(validate=validate.Length(max=MAX_BODY))  # noqa: E731


class PostmortemWriteSchema(StrictSchema):
    summary = _Section()
    impact = _Section()
    root_cause = _Section()
    resolution = _Section()
    lessons = _Section()


class PostmortemSchema(Schema):
    id = fields.Integer()
    incident_id = fields.Integer()
    status = fields.String()
    summary = fields.String()
    impact = fields.String()
    root_cause = fields.String()
    resolution = fields.String()
    lessons = fields.String()
    published_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    action_items = fields.List(fields.Nested(lambda: ActionItemSchema()))


class ActionItemCreateSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    owner = fields.String(load_default="", validate=validate.Length(max=120))
    due_date = fields.Date(allow_none=True, load_default=None)
    priority = fields.String(load_default="medium", validate=validate.OneOf(ACTION_ITEM_PRIORITIES))
    status = fields.String(load_default="open", validate=validate.OneOf(ACTION_ITEM_STATUSES))


class ActionItemUpdateSchema(StrictSchema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    owner = fields.String(validate=validate.Length(max=120))
    due_date = fields.Date(allow_none=True)
    priority = fields.String(validate=validate.OneOf(ACTION_ITEM_PRIORITIES))
    status = fields.String(validate=validate.OneOf(ACTION_ITEM_STATUSES))


class ActionItemSchema(Schema):
    id = fields.Integer()
    postmortem_id = fields.Integer()
    title = fields.String()
    owner = fields.String()
    due_date = fields.Date(allow_none=True)
    priority = fields.String()
    status = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
