"""Subscribers and email deliveries: input and output shapes."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate

from ..domain.deliveries import DIGEST_MODES, SUBSCRIBER_CHANNELS, Channel
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
    # Statuspage's names: a webhook receiver and the components to follow.
    endpoint = fields.String(validate=validate.Length(min=1, max=2048))
    components = fields.List(Id(), validate=validate.Length(max=100))
    mode = fields.String(validate=validate.OneOf(DIGEST_MODES))

    @post_load
    def _one_component_list(self, data: dict, **_kwargs) -> dict:
        if "components" in data:
            if "component_ids" in data:
                raise ValidationError({"components": ["Give components or component_ids, not both."]})
            data["component_ids"] = data.pop("components")
        if data.get("endpoint") and data.get("mode") == "daily":
            raise ValidationError({"mode": ["Webhooks are sent as things happen; digests are email only."]})
        return data


class WebhookSubscriberSchema(Schema):
    """An operator's new webhook subscriber, with its signing secret (this once)."""

    id = fields.Integer()
    channel = fields.String()
    endpoint = fields.String()
    email = fields.String()
    scope = fields.String()
    incident_id = fields.Integer(allow_none=True)
    components = fields.Function(lambda s: sorted(c.component_id for c in s.components))
    status = fields.Function(lambda s: subscriber_status(s))
    secret = fields.Function(lambda s: getattr(s, "plain_secret", None))
    created_at = fields.DateTime()


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
    channel = fields.String()
    endpoint = fields.String(allow_none=True)
    mode = fields.String()
    disabled_at = fields.DateTime(allow_none=True)
    consecutive_failures = fields.Integer()
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
    channel = fields.String(validate=validate.OneOf(SUBSCRIBER_CHANNELS))
    mode = fields.String(validate=validate.OneOf(DIGEST_MODES))


class DeliverySchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    channel = fields.String()
    integration_id = fields.Integer(allow_none=True)
    response_code = fields.Integer(allow_none=True)
    response_excerpt = fields.String(allow_none=True)
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
    kind = fields.String(validate=validate.OneOf(("notification", "confirmation", "test", "digest",
                                                  "webhook_disabled")))
    channel = fields.String(validate=validate.OneOf(tuple(Channel)))
    integration_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
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


class ImportJsonSchema(StrictSchema):
    csv = fields.String(required=True, validate=validate.Length(min=1))
    confirmed = fields.Boolean(load_default=False)
    consent_note = fields.String(validate=validate.Length(max=2000), allow_none=True)


class ImportSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    confirmed = fields.Boolean()
    consent_note = fields.String(allow_none=True)
    requested_by = fields.String()
    counts = fields.Dict(allow_none=True)
    errors = fields.List(fields.Dict(), allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
