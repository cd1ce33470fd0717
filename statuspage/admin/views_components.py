"""Components and component groups (admins change them; everyone sees them)."""
from __future__ import annotations

from flask import render_template, request

from ..schemas.components import (ComponentCreateSchema, ComponentGroupCreateSchema,
                                  ComponentUpdateSchema)
from ..services import component_order, components
from . import forms
from .blueprint import bp
from .helpers import actor, back_to, commit, requires


def _group_id(form) -> dict:
    raw = form.get("group_id", "")
    if "group_id" not in form:
        return {}
    return {"group_id": int(raw) if raw.isdigit() else (None if raw == "" else raw)}


@bp.get("/components", endpoint="components")
def components_page():
    return render_template("admin/components.html", groups=components.list_groups(),
                           items=components.list_all(), archived=components.list_all(archived=True),
                           orphaned=components.orphaned_subscribers())


@bp.post("/components")
@requires("admin")
def create_component():
    data = {**forms.optional(request.form, "name", "description", "status"), **_group_id(request.form)}
    components.create(actor(), forms.load(ComponentCreateSchema, data))
    commit()
    return back_to("admin.components")


@bp.post("/components/<id:component_id>")
@requires("admin")
def update_component(component_id):
    data = {**forms.optional(request.form, "name", "description", "status"), **_group_id(request.form)}
    components.update(actor(), component_id, forms.load(ComponentUpdateSchema, data))
    commit()
    return back_to("admin.components", f"component-{component_id}")


@bp.post("/components/<id:component_id>/status")
@requires("admin")
def set_component_status(component_id):
    components.update(actor(), component_id,
                      forms.load(ComponentUpdateSchema, forms.optional(request.form, "status")))
    commit()
    return back_to("admin.components", f"component-{component_id}")


@bp.post("/components/all-operational")
@requires("admin")
def all_operational():
    component_order.all_operational(actor())
    commit()
    return back_to("admin.components")


@bp.post("/components/<id:component_id>/move")
@requires("admin")
def move_component(component_id):
    component_order.move(actor(), component_id, request.form.get("direction", ""))
    commit()
    return back_to("admin.components", f"component-{component_id}")


@bp.post("/components/<id:component_id>/archive")
@requires("admin")
def archive_component(component_id):
    components.archive(actor(), component_id)
    commit()
    return back_to("admin.components", "archived-components")


@bp.post("/components/<id:component_id>/restore")
@requires("admin")
def restore_component(component_id):
    components.restore(actor(), component_id)
    commit()
    return back_to("admin.components", f"component-{component_id}")


@bp.post("/component-groups")
@requires("admin")
def create_group():
    components.create_group(actor(), forms.load(ComponentGroupCreateSchema,
                                                forms.optional(request.form, "name", "description")))
    commit()
    return back_to("admin.components")


@bp.post("/component-groups/<id:group_id>/delete")
@requires("admin")
def delete_group(group_id):
    components.delete_group(actor(), group_id)
    commit()
    return back_to("admin.components")
