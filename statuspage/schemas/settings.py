"""Page settings and brand: what an admin may send and what the API answers."""
from __future__ import annotations

import base64
import binascii
import re

from marshmallow import Schema, fields, validate

from ..domain.branding import LOGO_MAX_BYTES
from ..domain.locales import LOCALES
from .common import StrictSchema

_DATA_URL = re.compile(r"^data:(image/(?:png|svg\+xml|x-icon|vnd\.microsoft\.icon));base64,([A-Za-z0-9+/=\s]+)$")


class DataUrlImage(fields.Field):
    """An image as a ``data:image/png;base64,...`` URL; loads as ``(bytes, content type)``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) > LOGO_MAX_BYTES * 2:
            raise self.make_error("invalid")
        match = _DATA_URL.match(value)
        if not match:
            raise self.make_error("invalid")
        try:
            return base64.b64decode(match[2], validate=False), match[1]
        except (binascii.Error, ValueError):
            raise self.make_error("invalid") from None

    default_error_messages = {"invalid": "Send the image as a data:image/png;base64,… or data:image/svg+xml;base64,… URL."}


class FooterLinkSchema(StrictSchema):
    label = fields.String(required=True, validate=validate.Length(min=1, max=40))
    url = fields.Url(required=True, schemes={"http", "https", "mailto"}, require_tld=False,
                     validate=validate.Length(max=500))


class SettingsPatchSchema(StrictSchema):
    """Each field optional; null (or an empty string) puts it back to its default."""
    page_name = fields.String(allow_none=True, validate=validate.Length(max=100))
    accent_color = fields.String(allow_none=True, validate=validate.Length(max=7),
                                 metadata={"description": "#rrggbb; refused (422) below 3:1 against "
                                                          "the light or dark background (WCAG AA, UI)"})
    support_url = fields.Url(allow_none=True, schemes={"http", "https", "mailto"}, require_tld=False,
                             validate=validate.Length(max=500))
    footer_links = fields.List(fields.Nested(FooterLinkSchema), allow_none=True, validate=validate.Length(max=5))
    announcement = fields.String(allow_none=True, validate=validate.Length(max=2000),
                                 metadata={"description": "Markdown, shown at the top of the public page"})
    time_zone = fields.String(allow_none=True, validate=validate.Length(max=64))
    visibility = fields.String(allow_none=True, validate=validate.OneOf(("public", "private")),
                               metadata={"description": "private: readers need a sign-in, a token or a share link"})
    default_locale = fields.String(allow_none=True, validate=validate.OneOf(LOCALES),
                                   metadata={"description": "readers' language when they choose none"})
    logo = DataUrlImage(allow_none=True, metadata={"description": "PNG or SVG (sanitised), at most 48 KB"})
    favicon = DataUrlImage(allow_none=True, metadata={"description": "PNG, SVG or ICO, at most 16 KB"})


class SettingsSchema(Schema):
    page_name = fields.String()
    accent_color = fields.String(allow_none=True)
    support_url = fields.String(allow_none=True)
    footer_links = fields.List(fields.Dict())
    announcement = fields.String()
    time_zone = fields.String()
    visibility = fields.String()
    default_locale = fields.String()
    logo_url = fields.String(allow_none=True)
    favicon_url = fields.String(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
