"""Public JSON: our aggregate under /api/public and Statuspage-compatible /api/v2."""
from __future__ import annotations

import json

from ..public.cache import cached
from ..public.serialise import jsonable
from ..services import public_documents, public_status, statuspage_v2
from .blueprint import bp
from .endpoint import endpoint

JSON = "application/json"


def dumps(data) -> str:
    return json.dumps(jsonable(data), separators=(",", ":"), ensure_ascii=False)


@bp.get("/public/status")
@endpoint("The public page's aggregate: status, components, incidents, maintenance, 14-day history "
          "(per-day uptime: uptime_url)", role=None, tags=("public",))
def public_status_document():
    return cached("api:status", lambda: dumps(public_documents.status_document()), JSON)


@bp.get("/public/uptime")
@endpoint("90-day uptime per component: percentages and the days that were not fully up",
          role=None, tags=("public",))
def public_uptime_document():
    return cached("api:uptime", lambda: dumps(public_documents.uptime_document()), JSON)


@bp.get("/public/incidents/<id:incident_id>")
@endpoint("A public incident with its public timeline", role=None, errors=(404,), tags=("public",))
def public_incident(incident_id):
    public_status.public_incident(incident_id)
    return cached(f"api:incident:{incident_id}",
                  lambda: dumps(public_status.incident_detail(incident_id)), JSON)


@bp.get("/public/incidents/<id:incident_id>/postmortem")
@endpoint("A published postmortem", role=None, errors=(404,), tags=("public",))
def public_postmortem(incident_id):
    public_status.published_postmortem(incident_id)
    return cached(f"api:postmortem:{incident_id}",
                  lambda: dumps(public_status.postmortem_view(incident_id)), JSON)


def _v2_view(name: str):
    def view():
        return cached(f"v2:{name}", lambda: dumps(statuspage_v2.document(name)), JSON)
    view.__name__ = "v2_" + name.replace("/", "_").replace("-", "_")
    return endpoint(f"Statuspage v2: {name}.json", role=None, tags=("statuspage-v2",))(view)


for _name in statuspage_v2.DOCUMENTS:
    bp.add_url_rule(f"/v2/{_name}.json", view_func=_v2_view(_name), methods=["GET"])
