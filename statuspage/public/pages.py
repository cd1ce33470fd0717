"""HTML pages: /status, incident, postmortem, history, embed."""
from __future__ import annotations

import re

from flask import abort, redirect, render_template, request, url_for

from ..api import problems
from ..domain.pagetime import local_date, month_bounds, shift_month
from ..errors import DomainError
from ..i18n import month_text
from ..models import utcnow
from ..services import public_status
from .blueprint import bp
from .cache import cached
from ..visibility import is_insider
from .serialise import live_snapshot

_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
HTML = "text/html"


@bp.get("/")
def index():
    return redirect(url_for("public.status"), code=302)


@bp.get("/status")
def status():
    insider = is_insider()

    def build():
        data = public_status.build()
        internal = public_status.internal_incidents() if insider else []
        return render_template("public/status.html", data=data, snapshot=live_snapshot(data),
                               internal_incidents=internal)
    # Signed-in readers also see internal incidents: their copies are filed apart.
    return cached("page:status:insider" if insider else "page:status", build, HTML)


@bp.get("/status/incidents/<id:incident_id>")
def incident(incident_id):
    # Resolve 404s before caching so a missing id is never cached as a page.
    public_status.public_incident(incident_id)
    return cached(f"page:incident:{incident_id}", lambda: render_template(
        "public/incident.html", position=public_status.stream_position(),
        incident=public_status.incident_detail(incident_id)), HTML)


@bp.get("/status/incidents/<id:incident_id>/postmortem")
def postmortem(incident_id):
    public_status.published_postmortem(incident_id)
    return cached(f"page:postmortem:{incident_id}", lambda: render_template(
        "public/postmortem.html", position=public_status.stream_position(),
        pm=public_status.postmortem_view(incident_id)), HTML)


def _month_arg():
    tz = public_status.page_zone()
    today = local_date(utcnow(), tz)
    raw = request.args.get("month")
    if raw is None:
        return today.year, today.month, today
    match = _MONTH_RE.match(raw)
    if not match:
        abort(400, "month must look like 2026-03.")
    return int(match[1]), int(match[2]), today


def _history_page(year: int, month: int, today) -> str:
    tz = public_status.page_zone()
    start = month_bounds(year, month, tz)[0]
    incidents = public_status.incidents_in_month(year, month)
    oldest = public_status.first_incident_at()
    prev_ym = shift_month(year, month, -1)
    next_ym = shift_month(year, month, 1)
    has_prev = oldest is not None and local_date(oldest, tz) < local_date(start, tz)
    has_next = next_ym <= (today.year, today.month)
    return render_template("public/history.html", incidents=incidents, year=year, month=month,
                           label=month_text(local_date(start, tz)),
                           prev=f"{prev_ym[0]:04d}-{prev_ym[1]:02d}" if has_prev else None,
                           next=f"{next_ym[0]:04d}-{next_ym[1]:02d}" if has_next else None)


@bp.get("/status/history")
def history():
    year, month, today = _month_arg()
    return cached(f"page:history:{year:04d}-{month:02d}", lambda: _history_page(year, month, today), HTML)


@bp.get("/status/embed")
def embed():
    """The only framable page: a small widget with the overall status."""
    return cached("page:embed", lambda: render_template(
        "public/embed.html", data=public_status.build()), HTML)


@bp.errorhandler(DomainError)
def _page_error(exc: DomainError):
    """Pages answer errors with a page; feeds, badges and calendars with problem+json."""
    if "." in request.path.rsplit("/", 1)[-1]:
        return problems._domain_error(exc)
    return render_template("public/error.html", error=exc), exc.status
