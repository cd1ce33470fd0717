"""Incident analytics: query and answer shapes."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import StrictSchema


class AnalyticsArgs(StrictSchema):
    window_days = fields.Integer(load_default=30, validate=validate.Range(min=1, max=3650))


class SeverityFiguresSchema(Schema):
    created = fields.Integer()
    resolved = fields.Integer()
    active = fields.Integer()
    mttr_seconds = fields.Float(allow_none=True)


class AnalyticsSchema(Schema):
    window_days = fields.Integer()
    generated_at = fields.String()
    mttr_seconds = fields.Float(allow_none=True)
    mtti_seconds = fields.Float(allow_none=True)
    active = fields.Integer()
    resolved_last_7_days = fields.Integer()
    created_in_window = fields.Integer()
    resolved_in_window = fields.Integer()
    reopened_in_window = fields.Integer()
    by_severity = fields.Dict(keys=fields.String(), values=fields.Nested(SeverityFiguresSchema))
