"""Integrations: one input schema per kind, registered by name, and the output shape.

A kind plugs in by subclassing :class:`IntegrationInput` and calling
:func:`register_kind`; the CRUD endpoints and the service stay untouched. The
loaded input is normalised to ``{"kind", "name"?, "enabled"?, "config",
"secret", "secret_storage", "secret_is_url", "generate_secret"}``: kind-specific
fields land in ``config`` except the one named by ``SECRET_FIELD``.
"""
from __future__ import annotations

from typing import Optional

from flask import current_app
from marshmallow import Schema, ValidationError, fields, post_dump, post_load, validate

from .common import Id, StrictSchema

KINDS: dict[str, type["IntegrationInput"]] = {}
_COMMON = ("kind", "name", "enabled")


class IntegrationInput(StrictSchema):
    """Fields every kind has; subclasses add theirs and set the class attributes."""

    SECRET_FIELD: Optional[str] = None  # the input field holding the secret, if any
    SECRET_STORAGE: str = "encrypted"  # "encrypted": used again; "hashed": only compared
    SECRET_IS_URL = False  # the secret is the URL the product posts to (SSRF-checked)
    GENERATE_SECRET = False  # no secret in the input: the server makes one, shown once
    INGEST = False  # senders post to ``/api/hooks/<kind>/<secret>`` (shown once, as ``ingest_url``)

    kind = fields.String(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    enabled = fields.Boolean(load_default=True)

    @post_load
    def _normalise(self, data: dict, **_kwargs) -> dict:
        out = {k: data[k] for k in _COMMON if k in data}
        secret = data.get(self.SECRET_FIELD) if self.SECRET_FIELD else None
        out.update(
            config={k: v for k, v in data.items() if k not in _COMMON and k != self.SECRET_FIELD},
            secret=secret, secret_storage=self.SECRET_STORAGE, secret_is_url=self.SECRET_IS_URL,
            generate_secret=self.GENERATE_SECRET and not self.partial)
        return out


def register_kind(name: str, schema: type[IntegrationInput]) -> type[IntegrationInput]:
    """Make ``name`` a valid ``kind`` validated by ``schema``."""
    KINDS[name] = schema
    return schema


def _schema_for(kind) -> type[IntegrationInput]:
    if not isinstance(kind, str) or kind not in KINDS:
        raise ValidationError({"kind": [f"Must be one of: {', '.join(sorted(KINDS))}."]})
    return KINDS[kind]


class IntegrationCreateSchema(Schema):
    """Dispatches on ``kind`` to the registered schema."""

    kind = fields.String(required=True)

    def load(self, data, **kwargs):  # noqa: D102 - same contract as Schema.load
        return _schema_for(data.get("kind") if isinstance(data, dict) else None)().load(data, **kwargs)


def load_update(kind: str, data: dict) -> dict:
    """Validate a PATCH body for an integration of ``kind`` (every field optional)."""
    if "kind" in data and data["kind"] != kind:
        raise ValidationError({"kind": ["The kind of an integration cannot change."]})
    return _schema_for(kind)(partial=True).load({**data, "kind": kind})


class ChatChannelInput(IntegrationInput):
    """An incoming-webhook URL the product posts incident news to."""

    SECRET_FIELD = "url"
    SECRET_IS_URL = True

    url = fields.String(required=True, validate=validate.Length(min=1, max=2048))
    components = fields.List(Id(), load_default=list, validate=validate.Length(max=200))
    include_internal = fields.Boolean(load_default=False)


register_kind("slack", ChatChannelInput)
register_kind("teams", ChatChannelInput)


class IntegrationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    enabled = fields.Boolean()
    config = fields.Dict()
    secret_hint = fields.String(allow_none=True)
    # Present once, in the answer that created a server-generated secret.
    secret = fields.Function(lambda i: getattr(i, "plain_secret", None), allow_none=True)
    ingest_url = fields.Method("_ingest_url", allow_none=True)
    last_delivery_at = fields.DateTime(allow_none=True)
    last_delivery_status = fields.String(allow_none=True)
    last_response_code = fields.Integer(allow_none=True)
    last_response_excerpt = fields.String(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def _ingest_url(self, integration) -> Optional[str]:
        plain = getattr(integration, "plain_secret", None)
        if plain is None or not getattr(KINDS.get(integration.kind), "INGEST", False):
            return None
        return f"{current_app.config['PUBLIC_BASE_URL']}/api/hooks/{integration.kind}/{plain}"

    @post_dump
    def _secret_only_once(self, data: dict, **_kwargs) -> dict:
        for key in ("secret", "ingest_url"):
            if data.get(key) is None:
                data.pop(key, None)
        return data


class IntegrationListArgs(StrictSchema):
    kind = fields.String(validate=validate.Length(max=32))
