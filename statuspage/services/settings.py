"""The page's settings and brand: stored in one row, the environment gives the defaults.

Every surface (public pages, emails, feeds, the embed, the console) reads the
effective values through :func:`current`. Writing the row is a public change,
so the after-commit pipeline drops the cached public responses.
"""
from __future__ import annotations

import time
from typing import Optional

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, g, has_request_context
from redis.exceptions import RedisError

from ..domain.branding import (FAVICON_MAX_BYTES, LOGO_MAX_BYTES, ImageRefused, accent_problem,
                               checked_image)
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..models import PageSettings, utcnow
from . import audit
from .context import Actor

TEXT_FIELDS = ("page_name", "accent_color", "support_url", "footer_links", "announcement", "time_zone",
               "visibility", "default_locale")
IMAGES = {"logo": LOGO_MAX_BYTES, "favicon": FAVICON_MAX_BYTES}


def _row() -> Optional[PageSettings]:
    return db.session.get(PageSettings, 1)


# Config keys the effective settings fall back on (part of the held copy's key).
_DEFAULTS = ("PAGE_NAME", "PAGE_TIMEZONE", "VISIBILITY", "DEFAULT_LOCALE")
_HELD = "page_settings_held"
# Held at most this long, so a generation move lost to a Redis blip cannot keep old settings.
HOLD_SECONDS = 10.0
clock = time.monotonic  # replaced by tests to move time on


def current() -> dict:
    """The effective settings (stored value, else the environment's), read once per request.

    Web processes also hold them between requests, for as long as the public cache
    generation is unchanged: writing the row is a public change, which moves the
    generation in every process. Outside a request (the worker) they are read each time.
    """
    if not has_request_context():
        return _read()
    cached = g.get("page_settings")
    if cached is not None:
        return cached
    key = _held_key()  # taken before the read: a change committed meanwhile moves it
    held = current_app.extensions.get(_HELD)
    now = clock()
    if key is not None and held is not None and held[0] == key and now < held[2]:
        value = dict(held[1])
    else:
        value = _read()
        if key is not None:
            current_app.extensions[_HELD] = (key, dict(value), now + HOLD_SECONDS)
    g.page_settings = value
    return value


def _held_key() -> Optional[tuple]:
    generation = current_app.extensions.get("public_generation")
    if generation is None:
        return None
    try:
        number = generation.current()
    except RedisError:  # Redis down: read the row every time
        return None
    return (number, *(current_app.config[k] for k in _DEFAULTS))


def _read() -> dict:
    cfg, row = current_app.config, _row()
    stored = {f: getattr(row, f) for f in TEXT_FIELDS} if row else {}
    version = int(row.updated_at.timestamp()) if row else 0
    return {
        "page_name": stored.get("page_name") or cfg["PAGE_NAME"],
        "time_zone": stored.get("time_zone") or cfg["PAGE_TIMEZONE"],
        "visibility": stored.get("visibility") or cfg["VISIBILITY"],
        "default_locale": stored.get("default_locale") or cfg["DEFAULT_LOCALE"],
        "accent_color": stored.get("accent_color"),
        "support_url": stored.get("support_url"),
        "footer_links": stored.get("footer_links") or [],
        "announcement": stored.get("announcement") or "",
        "logo_url": f"/status/brand/logo?v={version}" if row and row.logo else None,
        "favicon_url": f"/status/brand/favicon?v={version}" if row and row.favicon else None,
        "updated_at": row.updated_at if row else None,
    }


def _snapshot(row: PageSettings) -> dict:
    snap = {f: getattr(row, f) for f in TEXT_FIELDS}
    snap.update({k: (len(getattr(row, k)) if getattr(row, k) else None) for k in IMAGES})
    return snap


def update(actor: Actor, data: dict) -> dict:
    """Change some settings (None clears a field back to its default); images arrive as
    ``(bytes, content type)`` and are checked, SVGs sanitised."""
    errors = {}
    if data.get("accent_color") and (problem := accent_problem(data["accent_color"])):
        errors["accent_color"] = [problem]
    if data.get("time_zone"):
        try:
            ZoneInfo(data["time_zone"])
        except (ZoneInfoNotFoundError, ValueError):
            errors["time_zone"] = [f"Unknown time zone: {data['time_zone']}"]
    images = {}
    for name, limit in IMAGES.items():
        if data.get(name) is not None:
            raw, content_type = data[name]
            try:
                images[name] = checked_image(raw, content_type, limit, allow_ico=name == "favicon")
            except ImageRefused as exc:
                errors[name] = [str(exc)]
    if errors:
        raise ValidationFailed(errors)
    row = _row()
    if row is None:
        row = PageSettings(id=1, footer_links=[])
        db.session.add(row)
        db.session.flush()
    before = _snapshot(row)
    for field in TEXT_FIELDS:
        if field in data:
            setattr(row, field, data[field] if data[field] not in ("", None) else
                    ([] if field == "footer_links" else None))
    for name in IMAGES:
        if name in images:
            setattr(row, name, images[name][0])
            setattr(row, f"{name}_type", images[name][1])
        elif name in data:  # None: back to the default
            setattr(row, name, None)
            setattr(row, f"{name}_type", None)
    row.updated_at = utcnow()
    db.session.flush()
    b, a = audit.diff(before, _snapshot(row))
    if a:
        audit.record(actor, "settings.updated", "settings", 1, before=b, after=a)
    # Read, not held: other requests must not see it before the commit (which moves the
    # generation, so every process reads the row again).
    g.page_settings = _read()
    return g.page_settings


def image(name: str) -> tuple[bytes, str]:
    """A stored brand image (``logo`` or ``favicon``) and its content type."""
    row = _row()
    if name not in IMAGES or row is None or getattr(row, name) is None:
        raise NotFound(f"No {name} is set.")
    return getattr(row, name), getattr(row, f"{name}_type")
