"""One incident: timeline, the update composer, commander, affected components, audience."""
from __future__ import annotations

from flask import render_template, request

from ..domain.incident_lifecycle import allowed_next
from ..schemas.incidents import ComposeSchema, IncidentPatchSchema
from ..services import incidents, postmortems, public_status, subscribers, templates, users
from ..services.email import deliveries
from . import forms
from .blueprint import bp
from .helpers import actor, back_to, can, commit, requires

def detail_context(incident_id: int, **extra) -> dict:
    incident = incidents.get(incident_id)
    postmortem = postmortems.find(incident_id)
    scope = {"incident": incident_id}
    return {
        "incident": incident,
        "transitions": allowed_next(incident.status),
        "users": users.list_users(),
        "timeline": list(reversed(incident.updates)),
        "update_templates": templates.list_all("update"),
        "audience": subscribers.audience(incident),
        # Recipients' addresses are personal data: listed to admins only (as /api/deliveries).
        "deliveries": deliveries.list_deliveries(scope, 1, 20) if can("admin") else None,
        "delivery_counts": deliveries.counts(scope),
        "postmortem": postmortem,
        "preview": {},
        **extra,
    }


@bp.get("/incidents/<id:incident_id>")
def incident(incident_id):
    return render_template("admin/incident.html", **detail_context(incident_id))


@bp.post("/incidents/<id:incident_id>/compose")
@requires("responder")
def compose(incident_id):
    """The one update form: status, message, impacts, visibility, notify, next update."""
    form = request.form
    data = {"status": form.get("status", ""), "body": form.get("body", ""),
            "visibility": form.get("visibility", "public"), "notify": forms.checked(form, "notify"),
            "components": forms.impacts(form)}
    if not data["status"]:
        data.pop("status")
    if "next_update_at" in form:
        data["next_update_at"] = forms.when(form["next_update_at"], public_status.page_zone())
    if form.get("template_id"):
        data["template_id"] = int(form["template_id"]) if form["template_id"].isdigit() else form["template_id"]
        if not data["body"]:
            data.pop("body")
    incidents.respond(actor(), incident_id, forms.load(ComposeSchema, data))
    commit()
    return back_to("admin.incident", "timeline", incident_id=incident_id)


@bp.post("/incidents/<id:incident_id>/commander")
@requires("responder")
def set_commander(incident_id):
    raw = request.form.get("commander_id", "")
    incidents.patch(actor(), incident_id, forms.load(
        IncidentPatchSchema, {"commander_id": int(raw) if raw.isdigit() else (raw or None)}))
    commit()
    return back_to("admin.incident", "commander", incident_id=incident_id)


@bp.post("/incidents/<id:incident_id>/components")
@requires("responder")
def set_components(incident_id):
    incidents.patch(actor(), incident_id,
                    forms.load(IncidentPatchSchema, {"components": forms.impacts(request.form)}))
    commit()
    return back_to("admin.incident", "affected", incident_id=incident_id)


@bp.post("/incidents/<id:incident_id>/details")
@requires("responder")
def edit_details(incident_id):
    form = request.form
    data = forms.optional(form, "title", "severity", "visibility", "summary")
    if "tags" in form:
        data["tags"] = forms.tags(form["tags"])
    incidents.patch(actor(), incident_id, forms.load(IncidentPatchSchema, data))
    commit()
    return back_to("admin.incident", incident_id=incident_id)
