"""Feeds and small artefacts: Atom/RSS history, iCalendar maintenance, SVG badges."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, render_template, request
from sqlalchemy import select

from ..domain.statuses import page_indicator
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..models import Incident, Maintenance, MaintenanceComponent, utcnow
from ..services import components as components_service
from ..services import public_status
from . import bp
from .cache import cached
from .ical import calendar

FEED_LIMIT = 50
_BADGE_COLOUR = {"none": "#1a7f37", "maintenance": "#0b62a4", "minor": "#9a6700",
                 "major": "#bc4c00", "critical": "#c62828"}
_COMPONENT_INDICATOR = {"operational": "none", "under_maintenance": "maintenance",
                        "degraded_performance": "minor", "partial_outage": "major",
                        "major_outage": "critical"}


def _feed_incidents() -> list[dict]:
    rows = db.session.scalars(public_status._incident_query()
                              .order_by(Incident.created_at.desc(), Incident.id.desc()).limit(FEED_LIMIT))
    return [public_status.incident_view(i, with_updates=True) for i in rows]


def _feed(template: str) -> str:
    base = current_app.config["PUBLIC_BASE_URL"]
    return render_template(template, incidents=_feed_incidents(), base=base, now=utcnow(),
                           host=urlsplit(base).hostname or "localhost")


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
    return components_service.get(int(raw)).id


def _maintenance_calendar(component_id: int | None) -> str:
    stmt = select(Maintenance).order_by(Maintenance.starts_at)
    if component_id is not None:
        stmt = stmt.where(Maintenance.components.any(MaintenanceComponent.component_id == component_id))
    windows = [public_status.maintenance_view(m) for m in db.session.scalars(stmt)]
    base = current_app.config["PUBLIC_BASE_URL"]
    return calendar(current_app.config["PAGE_NAME"], urlsplit(base).hostname or "localhost", base,
                    windows, utcnow())


@bp.get("/status/maintenance.ics")
def maintenance_ics():
    component_id = _component_arg()
    return cached(f"ics:{component_id or 'all'}", lambda: _maintenance_calendar(component_id),
                  "text/calendar")


def _badge(label: str, indicator: str, message: str) -> str:
    # Widths from a rough 6.5 px per character of Verdana 11px (shields.io's metric).
    lw, mw = 10 + int(6.5 * len(label)), 10 + int(6.5 * len(message))
    return render_template("public/badge.svg", label=label, message=message, lw=lw, mw=mw,
                           colour=_BADGE_COLOUR[indicator])


@bp.get("/status/badge.svg")
def badge():
    def build():
        indicator, description = page_indicator(db.session.scalars(
            select(public_status.Component.status).where(public_status.Component.active)))
        return _badge("status", indicator, description.lower())
    return cached("badge:page", build, "image/svg+xml")


@bp.get("/status/components/<id:component_id>/badge.svg")
def component_badge(component_id):
    component = components_service.get(component_id)
    if component.archived_at is not None:
        raise NotFound(f"Component {component_id} does not exist.")

    def build():
        return _badge(component.name, _COMPONENT_INDICATOR[component.status],
                      public_status.STATUS_LABEL[component.status].lower())
    return cached(f"badge:component:{component_id}", build, "image/svg+xml")
