"""The public status page: HTML pages, feeds, badge, embed (no authentication)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from email.utils import format_datetime

from flask import Flask, current_app, has_request_context, request, url_for
from werkzeug.routing import BuildError

from ..domain.pagetime import zone
from ..domain.statuses import impact_label
from ..i18n import day_text, moment_text, month_text
from ..services import settings
from .blueprint import bp
from .fastpath import SNAPSHOT_ENVIRON

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
    return moment_text(moment, zone(settings.current()["time_zone"]))


def _pagelocal(moment: datetime | None) -> str:
    """A moment as the page zone's wall time for ``<input type=datetime-local>``."""
    if moment is None:
        return ""
    return moment.astimezone(zone(settings.current()["time_zone"])).strftime("%Y-%m-%dT%H:%M")


def _pagemonth(moment: datetime) -> str:
    """``January 2026``: the month a moment falls in, in the page's zone and the reader's language."""
    return month_text(moment.astimezone(zone(settings.current()["time_zone"])).date())


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
    brand = settings.current()
    # Set while the static copy is rendered: pages say when, and open no live stream.
    snapshot_at = request.environ.get(SNAPSHOT_ENVIRON) if has_request_context() else None
    return {"page_name": brand["page_name"], "page_timezone": brand["time_zone"], "brand": brand,
            "subscribe_url": subscribe_url, "snapshot_at": snapshot_at}


def init_app(app: Flask) -> None:
    from . import brand, cache, feeds, metrics, pages  # noqa: F401  (routes register on bp)

    app.add_template_filter(_pagetime, "pagetime")
    app.add_template_filter(_isotime, "isotime")
    app.add_template_filter(_pagelocal, "pagelocal")
    app.add_template_filter(_pagemonth, "pagemonth")
    app.add_template_filter(impact_label, "impact")
    app.add_template_filter(day_text, "pageday")
    app.add_template_filter(_pageday_iso, "pageday_iso")
    app.add_template_filter(_rfc822, "rfc822")
    app.context_processor(_context)
    app.register_blueprint(bp)
    cache.init_app(app)
