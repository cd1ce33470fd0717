"""Building blocks shared by the API schemas."""
from __future__ import annotations

import re

from marshmallow import INCLUDE, Schema, ValidationError, fields, pre_load, validate

from ..domain.statuses import COMPONENT_STATUSES

MAX_BODY = 10_000
MAX_ID = 2**31 - 1


def Id(**kwargs) -> fields.Integer:
    """A database id: a strict integer in the range every backend can store."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


# Titles become email subjects, feed titles and calendar lines: a line break in one
# could start a header or a property of its own.
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")


def _single_line(value: str) -> bool:
    if _LINE_BREAKS.search(value):
        raise ValidationError("Must be a single line.")
    return True


def Title(max_length: int = 200, min_length: int = 1, **kwargs) -> fields.String:
    """A one-line title of at most ``max_length`` characters."""
    return fields.String(validate=[validate.Length(min=min_length, max=max_length), _single_line],
                         **kwargs)


def _bad_text(value) -> str | None:
    if isinstance(value, str):
        if "\x00" in value:
            return "NUL characters are not allowed."
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "Text must be valid Unicode (no lone surrogates)."
    elif isinstance(value, list):
        return next((m for m in map(_bad_text, value) if m), None)
    elif isinstance(value, dict):
        return next((m for m in map(_bad_text, value.values()) if m), None)
    return None


class UtcDateTime(fields.AwareDateTime):
    """ISO 8601; naive input is read as UTC and every value comes out in UTC,
    so responses echo what will be stored rather than the caller's offset."""

    def __init__(self, **kwargs):
        from datetime import timezone

        super().__init__(default_timezone=timezone.utc, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        from datetime import timezone

        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(timezone.utc)
        except OverflowError:  # e.g. 0001-01-01T01:00+21:00 is before the first UTC moment
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE) from None


class StrictSchema(Schema):
    """Input schema: unknown fields are errors (marshmallow's default), and text that no
    database can store (NUL, lone surrogates) is refused before it reaches one."""

    @pre_load
    def _reject_unstorable_text(self, data, **_kwargs):
        if isinstance(data, dict):
            errors = {k: [m] for k, v in data.items() if (m := _bad_text(v))}
            if errors:
                raise ValidationError(errors)
        return data


class ProblemSchema(Schema):
    """RFC 9457 problem details; problems may carry extension members (RFC 9457 §3.2)."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())
    allowed = fields.List(fields.String())


class PaginationArgs(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class ComponentImpactSchema(StrictSchema):
    """``{id, status}``: a component and the status an incident or update gives it."""

    id = Id(required=True)
    status = fields.String(required=True, validate=validate.OneOf(COMPONENT_STATUSES))

