"""The incidents list (analytics, filters, pagination) and declaring an incident."""
from __future__ import annotations

from flask import render_template, request
from marshmallow import EXCLUDE, ValidationError
from sqlalchemy import select

from ..errors import ValidationFailed
from ..extensions import db
from ..models import IncidentTag
from ..schemas.incidents import IncidentCreateSchema, IncidentListArgs
from ..services import analytics, incidents
from . import forms
from .blueprint import bp
from .analytics_svg import duration, severity_bars
from .helpers import actor, back_to, commit, requires
from .i18n import _c


def _filters() -> dict:
    raw = {k: v for k, v in request.args.items() if v != ""}
    try:
        return IncidentListArgs(unknown=EXCLUDE).load(raw)
    except ValidationError as exc:  # a hand-edited URL: a 422 page naming the bad filter
        raise ValidationFailed(exc.messages, _c("The filters in the address are not valid."))


@bp.get("/")
def home():
    return back_to("admin.incidents")


@bp.get("/incidents", endpoint="incidents")
def incident_list():
    args = _filters()
    page, per_page = args.pop("page"), args.pop("per_page")
    found = incidents.list_incidents(args, page, per_page)
    summary = analytics.summary(30)
    known_tags = db.session.scalars(select(IncidentTag.tag).distinct().order_by(IncidentTag.tag)).all()
    return render_template("admin/incidents.html", page=found, filters=args, tags=known_tags,
                           analytics=summary, chart=severity_bars(summary["by_severity"]),
                           mttr=duration(summary["mttr_seconds"]))


def _create_values(form) -> dict:
    data = {"title": form.get("title", "").strip(), "summary": form.get("summary", ""),
            "severity": form.get("severity", ""), "visibility": form.get("visibility", "public"),
            "tags": forms.tags(form.get("tags", "")), "components": forms.impacts(form),
            "notify": forms.checked(form, "notify")}
    if form.get("template_id"):
        data["template_id"] = int(form["template_id"]) if form["template_id"].isdigit() else form["template_id"]
    # Empty fields are absent, so a chosen template fills them (explicit fields win).
    return {k: v for k, v in data.items() if v not in ("", [])}


@bp.get("/incidents/new")
@requires("responder")
def new_incident():
    return render_template("admin/incident_new.html", errors={}, values={"notify": True})


@bp.post("/incidents/new")
@requires("responder")
def create_incident():
    values = _create_values(request.form)
    try:
        incident = incidents.create(actor(), forms.load(IncidentCreateSchema, dict(values)))
        commit()
    except (ValidationError, ValidationFailed) as exc:
        db.session.rollback()
        errors = exc.messages if isinstance(exc, ValidationError) else exc.extra["errors"]
        return render_template("admin/incident_new.html", errors=errors, values=values), 422
    return back_to("admin.incident", incident_id=incident.id)
