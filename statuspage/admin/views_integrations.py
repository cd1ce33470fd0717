"""Integrations (admin): chat channels with their last delivery result, add, test, delete."""
from __future__ import annotations

from flask import render_template, request

from ..schemas.integrations import KINDS, load_update
from ..schemas.integrations import IntegrationCreateSchema
from ..services import integrations
from . import forms
from .blueprint import bp
from .helpers import actor, back_to, commit, requires

CHAT_KINDS = ("slack", "teams")


@bp.get("/integrations", endpoint="integrations")
@requires("admin")
def integrations_page():
    return render_template("admin/integrations.html", integrations=integrations.list_all(),
                           kinds=[k for k in CHAT_KINDS if k in KINDS], tested=request.args.get("tested"))


@bp.post("/integrations")
@requires("admin")
def create_integration():
    form = request.form
    body = forms.load(IntegrationCreateSchema, {"kind": form.get("kind", ""), "name": form.get("name", ""),
                                                "url": form.get("url", "")})
    integrations.create(actor(), body)
    commit()
    return back_to("admin.integrations", "integration-list")


@bp.post("/integrations/<id:integration_id>/toggle")
@requires("admin")
def toggle_integration(integration_id):
    current = integrations.get(integration_id)
    integrations.update(actor(), integration_id, load_update(current.kind, {"enabled": not current.enabled}))
    commit()
    return back_to("admin.integrations", "integration-list")


@bp.post("/integrations/<id:integration_id>/test")
@requires("admin")
def test_integration(integration_id):
    integrations.send_test(actor(), integration_id)
    commit()
    return back_to("admin.integrations", "integration-list", tested=integration_id)


@bp.post("/integrations/<id:integration_id>/delete")
@requires("admin")
def delete_integration(integration_id):
    integrations.delete(actor(), integration_id)
    commit()
    return back_to("admin.integrations", "integration-list")
