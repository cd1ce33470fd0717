"""The public status page: HTML pages, feeds, badge, embed (no authentication)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from email.utils import format_datetime

from flask import Flask, current_app, url_for
from werkzeug.routing import BuildError

from ..domain.pagetime import zone
from ..domain.statuses import impact_label
from ..i18n import day_text, moment_text
from .blueprint import bp

# Endpoints that the notifications work may register for the subscribe pages.
_SUBSCRIBE_ENDPOINTS = ("subscriptions.subscribe_form", "subscriptions.subscribe")


def subscribe_url(**params) -> str | None:
    for name in _SUBSCRIBE_ENDPOINTS:
        try:
            return url_for(name, **params)
        except BuildError:
            continue
    return None


def _pagetime(moment: datetime | None) -> str:
    return moment_text(moment, zone(current_app.config["PAGE_TIMEZONE"]))


def _isotime(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    return moment.isoformat()


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc))


def _pageday_iso(value: str) -> str:
    return day_text(date.fromisoformat(value))


def _context() -> dict:
    cfg = current_app.config
    return {"page_name": cfg["PAGE_NAME"], "page_timezone": cfg["PAGE_TIMEZONE"],
            "subscribe_url": subscribe_url}


def init_app(app: Flask) -> None:
    from . import cache, feeds, pages  # noqa: F401  (routes register on bp)

    app.add_template_filter(_pagetime, "pagetime")
    app.add_template_filter(_isotime, "isotime")
    app.add_template_filter(impact_label, "impact")
    app.add_template_filter(day_text, "pageday")
    app.add_template_filter(_pageday_iso, "pageday_iso")
    app.add_template_filter(_rfc822, "rfc822")
    app.context_processor(_context)
    app.register_blueprint(bp)
    cache.init_app(app)
