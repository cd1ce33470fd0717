"""Audit trail output and filters."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from .common import MAX_ID, StrictSchema, UtcDateTime


class AuditEventSchema(Schema):
    id = fields.Integer()
    created_at = fields.DateTime()
    actor_type = fields.String()
    actor_id = fields.Integer(allow_none=True)
    actor = fields.String(attribute="actor_label")
    action = fields.String()
    target_type = fields.String()
    target_id = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    request_id = fields.String(allow_none=True)
    ip = fields.String(allow_none=True)


def _actor_id_fits(value: str) -> None:
    number = value.partition(":")[2]
    if number.isdigit() and int(number) > MAX_ID:
        raise ValidationError(f"The id after ':' is at most {MAX_ID}.")


class AuditListArgs(StrictSchema):
    # "user:3", "token:7", "system": shorthand for actor_type (+ actor_id).
    actor = fields.String(validate=[
        validate.Regexp(r"^(user|token|system|subscriber)(:[1-9][0-9]{0,9})?$"), _actor_id_fits])
    actor_type = fields.String(validate=validate.OneOf(("user", "token", "system", "subscriber")))
    actor_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    target_type = fields.String(validate=validate.Length(max=32))
    target_id = fields.String(validate=validate.Length(max=64))
    action = fields.String(validate=validate.Length(max=64))
    action_prefix = fields.String(validate=validate.Length(max=64))
    since = UtcDateTime()
    cursor = fields.Integer(validate=validate.Range(min=1, max=2**62))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEventSchema))
    next_cursor = fields.Integer(allow_none=True)
