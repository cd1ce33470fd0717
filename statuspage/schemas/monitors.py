"""Monitors: input (create / edit) and output shapes, and the metrics query."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate

from .common import Id, StrictSchema

_RANGE = re.compile(r"^([1-5]\d\d)-([1-5]\d\d)$")
KINDS = ("http", "tcp", "keyword")
WINDOWS = ("24h", "7d", "30d")


class StatusRange(fields.Field):
    """An HTTP status (``200``) or an inclusive range (``"200-399"``), loaded as ``[low, high]``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599:
            return [value, value]
        match = _RANGE.match(value) if isinstance(value, str) else None
        if match and int(match.group(1)) <= int(match.group(2)):
            return [int(match.group(1)), int(match.group(2))]
        raise ValidationError("Use a status code (200) or a range (\"200-399\").")


class MonitorCreateSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    url = fields.String(validate=validate.Length(min=1, max=2048), allow_none=True)
    host = fields.String(validate=validate.Length(min=1, max=255), allow_none=True)
    port = fields.Integer(strict=True, validate=validate.Range(min=1, max=65535), allow_none=True)
    keyword = fields.String(validate=validate.Length(min=1, max=255), allow_none=True)
    expected_status = fields.List(StatusRange(), load_default=lambda: [[200, 399]],
                                  validate=validate.Length(min=1, max=20))
    interval_seconds = fields.Integer(strict=True, load_default=60,
                                      validate=validate.Range(min=1, max=86400))
    timeout_seconds = fields.Float(load_default=10.0, validate=validate.Range(min=0.5, max=60))
    component_id = Id(allow_none=True)
    failure_threshold = fields.Integer(strict=True, load_default=3, validate=validate.Range(min=1, max=100))
    recovery_threshold = fields.Integer(strict=True, load_default=2, validate=validate.Range(min=1, max=100))
    degraded_ms = fields.Integer(strict=True, allow_none=True, load_default=None,
                                 validate=validate.Range(min=1, max=600_000))
    public_metric = fields.Boolean(load_default=False)
    paused = fields.Boolean(load_default=False)


class MonitorUpdateSchema(MonitorCreateSchema):
    """Every field optional; the kind of a monitor is fixed."""

    class Meta:
        exclude = ("kind",)


def load_update(data: dict) -> dict:
    """Validate a PATCH body: only the fields given (no defaults filled in)."""
    return MonitorUpdateSchema(partial=True).load(data)


class MonitorSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    url = fields.String(allow_none=True)
    host = fields.String(allow_none=True)
    port = fields.Integer(allow_none=True)
    keyword = fields.String(allow_none=True)
    expected_status = fields.List(fields.List(fields.Integer()))
    interval_seconds = fields.Integer()
    timeout_seconds = fields.Float()
    component_id = fields.Integer(allow_none=True)
    failure_threshold = fields.Integer()
    recovery_threshold = fields.Integer()
    degraded_ms = fields.Integer(allow_none=True)
    public_metric = fields.Boolean()
    paused = fields.Boolean()
    state = fields.String()
    last_checked_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    next_check_at = fields.DateTime()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class MetricsArgs(StrictSchema):
    window = fields.String(load_default="24h", validate=validate.OneOf(WINDOWS))


class MetricPointSchema(Schema):
    t = fields.String()
    avg_ms = fields.Float(allow_none=True)
    checks = fields.Integer()
    failures = fields.Integer()


class MetricsSchema(Schema):
    monitor_id = fields.Integer()
    name = fields.String()
    window = fields.String()
    bucket_seconds = fields.Integer()
    uptime = fields.Float(allow_none=True)
    avg_ms = fields.Float(allow_none=True)
    max_ms = fields.Float(allow_none=True)
    checks = fields.Integer()
    points = fields.List(fields.Nested(MetricPointSchema))
