"""Feeds and small artefacts: Atom/RSS history, iCalendar maintenance, SVG badges."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, render_template, request
from flask_babel import gettext

from ..domain.statuses import INDICATOR_COLOUR, component_indicator, label
from ..errors import ValidationFailed
from ..models import utcnow
from ..services import public_status, settings
from .blueprint import bp
from .cache import cached
from .ical import calendar

FEED_LIMIT = 50


def _feed(template: str) -> str:
    base = current_app.config["PUBLIC_BASE_URL"]
    return render_template(template, incidents=public_status.latest_incidents(FEED_LIMIT), base=base,
                           now=utcnow(), host=urlsplit(base).hostname or "localhost")


@bp.get("/history.atom")
def history_atom():
    return cached("feed:atom", lambda: _feed("public/history.atom.xml"), "application/atom+xml")


@bp.get("/history.rss")
def history_rss():
    return cached("feed:rss", lambda: _feed("public/history.rss.xml"), "application/rss+xml")


def _component_arg() -> int | None:
    raw = request.args.get("component")
    if raw is None:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 2**31:
        raise ValidationFailed({"component": ["Expected a component id."]}, "Bad query parameter.")
    return public_status.component(int(raw))["id"]


def _maintenance_calendar(component_id: int | None) -> str:
    base = current_app.config["PUBLIC_BASE_URL"]
    return calendar(settings.current()["page_name"], urlsplit(base).hostname or "localhost", base,
                    public_status.maintenance_windows(component_id), utcnow())


@bp.get("/status/maintenance.ics")
def maintenance_ics():
    component_id = _component_arg()
    return cached(f"ics:{component_id or 'all'}", lambda: _maintenance_calendar(component_id),
                  "text/calendar")


def _badge(text: str, indicator: str, message: str) -> str:
    # Widths from a rough 6.5 px per character of Verdana 11px (shields.io's metric).
    lw, mw = 10 + int(6.5 * len(text)), 10 + int(6.5 * len(message))
    return render_template("public/badge.svg", label=text, message=message, lw=lw, mw=mw,
                           colour=INDICATOR_COLOUR[indicator])


@bp.get("/status/badge.svg")
def badge():
    def build():
        indicator, description = public_status.page_status()
        return _badge(gettext("status"), indicator, gettext(description).lower())
    return cached("badge:page", build, "image/svg+xml")


@bp.get("/status/components/<id:component_id>/badge.svg")
def component_badge(component_id):
    component = public_status.component(component_id)

    def build():
        return _badge(component["name"], component_indicator(component["status"]),
                      gettext(label(component["status"])).lower())
    return cached(f"badge:component:{component_id}", build, "image/svg+xml")
