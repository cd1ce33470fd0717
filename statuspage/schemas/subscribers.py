"""Subscribers and email deliveries: input and output shapes."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.locales import LOCALES
from ..domain.statuses import DELIVERY_STATUSES
from ..domain.subscribers import SUBSCRIBER_STATUSES, subscriber_status
from .common import MAX_ID, Id, PaginationArgs, StrictSchema



class SubscribeSchema(StrictSchema):
    # The length cap here only bounds the work; the address itself is checked
    # by email-validator in the service (at most 254 characters).
    email = fields.String(required=True, validate=validate.Length(min=1, max=320))
    incident_id = Id()
    component_ids = fields.List(Id(), validate=validate.Length(max=100))
    # The emails' language; without it, the request's (Accept-Language, then the page default).
    locale = fields.String(validate=validate.OneOf(LOCALES))


class AcceptedSchema(Schema):
    status = fields.String()
    detail = fields.String()


class SubscriberSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    scope = fields.String()
    locale = fields.String()
    incident_id = fields.Integer(allow_none=True)
    component_ids = fields.Function(lambda s: sorted(c.component_id for c in s.components))
    status = fields.Function(lambda s: subscriber_status(s))
    confirmed_at = fields.DateTime(allow_none=True)
    unsubscribed_at = fields.DateTime(allow_none=True)
    suppressed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class SubscriberListArgs(PaginationArgs):
    q = fields.String(validate=validate.Length(max=254))
    status = fields.String(validate=validate.OneOf(SUBSCRIBER_STATUSES))
    scope = fields.String(validate=validate.OneOf(("all", "incident", "components")))
    incident = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    component = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


class DeliverySchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    subscriber_id = fields.Integer(allow_none=True)
    event_id = fields.Integer(allow_none=True)
    to_address = fields.String()
    subject = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
    message_id = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class DeliveryListArgs(PaginationArgs):
    status = fields.String(validate=validate.OneOf(DELIVERY_STATUSES))
    incident = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    kind = fields.String(validate=validate.OneOf(("notification", "confirmation", "test")))
    subscriber_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    event_id = fields.Integer(validate=validate.Range(min=1, max=2**62))


class WorkerStatusSchema(Schema):
    last_seen_at = fields.String(allow_none=True)
    running = fields.Boolean()
    warning = fields.String(allow_none=True)


class DeliveryPageSchema(Schema):
    items = fields.List(fields.Nested(DeliverySchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    worker = fields.Nested(WorkerStatusSchema)


class TestMailSchema(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=320))
