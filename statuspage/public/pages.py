"""HTML pages: /status, incident, postmortem, history, embed."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from ..api import problems
from ..errors import DomainError, NotFound
from ..services import public_history, public_status
from .blueprint import bp
from ..visibility import is_insider
from .cache import cached
from .serialise import live_snapshot

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
    # Signed-in readers also see internal incidents, which change without moving the
    # public generation: their copy is rendered for each request.
    return cached("page:status", build, HTML, shared=not insider)


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




@bp.get("/status/history")
def history():
    """Incidents and maintenance, newest first, paginated by entries (not by months)."""
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        abort(400, "page must be a positive whole number.")
    if len(raw) > 6:
        raise NotFound("No history on that page.")
    page = int(raw)

    def build():
        found = public_history.page(page, public_history.PER_PAGE)
        if page > found["pages"]:
            raise NotFound("No history on that page.")
        return render_template("public/history.html", **found)
    return cached(f"page:history:{page}", build, HTML)


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
