"""Scheduled maintenance windows."""
from __future__ import annotations

from flask import render_template, request

from ..domain.statuses import MAINTENANCE_STATUSES
from ..schemas.maintenances import MaintenanceCreateSchema, MaintenanceTransitionSchema
from ..services import maintenance, public_status
from . import forms
from .blueprint import bp
from .helpers import actor, back_to, commit, page_arg, requires
from .i18n import C_

NEXT_STEP = {"scheduled": ("in_progress", C_("Start now")), "in_progress": ("verifying", C_("Verify")),
             "verifying": ("completed", C_("Complete"))}


@bp.get("/maintenance", endpoint="maintenance")
def maintenance_page():
    return render_template("admin/maintenance.html", page=maintenance.list_maintenances({}, page_arg(), 25),
                           next_step=NEXT_STEP, statuses=MAINTENANCE_STATUSES)


@bp.post("/maintenance")
@requires("admin")
def create_maintenance():
    form = request.form
    tz = public_status.page_zone()  # the form shows and takes the page's wall time
    data = {**forms.optional(form, "title", "description"), "starts_at": forms.when(form.get("starts_at"), tz),
            "ends_at": forms.when(form.get("ends_at"), tz), "component_ids": forms.ids(form, "component_ids")}
    maintenance.create(actor(), forms.load(MaintenanceCreateSchema, {k: v for k, v in data.items()
                                                                     if v is not None}))
    commit()
    return back_to("admin.maintenance")


@bp.post("/maintenance/<id:maintenance_id>/status")
@requires("admin")
def move_maintenance(maintenance_id):
    body = forms.load(MaintenanceTransitionSchema, {"to": request.form.get("status", "")})
    maintenance.transition(actor(), maintenance_id, body["to"])
    commit()
    return back_to("admin.maintenance", f"maintenance-{maintenance_id}")


@bp.post("/maintenance/<id:maintenance_id>/delete")
@requires("admin")
def delete_maintenance(maintenance_id):
    maintenance.delete(actor(), maintenance_id)
    commit()
    return back_to("admin.maintenance")
