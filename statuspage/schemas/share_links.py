"""Share links: input and output shapes."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import StrictSchema, UtcDateTime


class ShareLinkCreateSchema(StrictSchema):
    label = fields.String(required=True, validate=validate.Length(min=1, max=120))
    expires_at = UtcDateTime(required=True)


class ShareLinkSchema(Schema):
    id = fields.Integer()
    label = fields.String()
    prefix = fields.String()
    created_at = UtcDateTime()
    expires_at = UtcDateTime()
    revoked_at = UtcDateTime(allow_none=True)
    last_used_at = UtcDateTime(allow_none=True)
    # Only in the answer to the create call: the secret is never shown again.
    url = fields.String()
