"""Incident and update templates."""
from __future__ import annotations

from flask import render_template, request

from ..schemas.templates import TemplateCreateSchema, TemplateUpdateSchema
from ..services import templates
from . import forms
from .blueprint import bp
from .helpers import actor, back_to, commit, requires


def _data(form) -> dict:
    data = forms.optional(form, "kind", "name", "title", "body")
    if "severity" in form:
        data["severity"] = form["severity"] or None
    if "tags" in form:
        data["tags"] = forms.tags(form["tags"])
    data["components"] = forms.impacts(form)
    return data


@bp.get("/templates", endpoint="templates")
def templates_page():
    return render_template("admin/templates.html", items=templates.list_all())


@bp.post("/templates")
@requires("admin")
def create_template():
    templates.create(actor(), forms.load(TemplateCreateSchema, _data(request.form)))
    commit()
    return back_to("admin.templates")


@bp.post("/templates/<id:template_id>")
@requires("admin")
def update_template(template_id):
    data = _data(request.form)
    data.pop("kind", None)
    templates.update(actor(), template_id, forms.load(TemplateUpdateSchema, data))
    commit()
    return back_to("admin.templates", f"template-{template_id}")


@bp.post("/templates/<id:template_id>/delete")
@requires("admin")
def delete_template(template_id):
    templates.delete(actor(), template_id)
    commit()
    return back_to("admin.templates")
