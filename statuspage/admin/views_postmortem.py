"""The postmortem editor: draft, Markdown preview, publish, action items."""
from __future__ import annotations

from flask import jsonify, render_template, request

from ..errors import BadRequest
from ..markdown import render as render_markdown
from ..schemas.common import MAX_BODY
from ..schemas.postmortems import (ActionItemCreateSchema, ActionItemUpdateSchema,
                                   PostmortemWriteSchema)
from ..services import action_items, postmortems
from ..services.postmortems import SECTIONS
from . import forms
from .blueprint import bp
from .helpers import actor, back_to, commit, requires
from .views_incident import detail_context

ITEM_FIELDS = ("title", "owner", "due_date", "priority", "status")


def _item_data(form) -> dict:
    data = forms.optional(form, *ITEM_FIELDS)
    if "due_date" in data:
        data["due_date"] = data["due_date"] or None
    return data


@bp.post("/incidents/<id:incident_id>/postmortem")
@requires("responder")
def save_postmortem(incident_id):
    data = forms.load(PostmortemWriteSchema, forms.optional(request.form, *SECTIONS))
    if request.form.get("action") == "preview":
        # Without JavaScript: the same page with the unsaved text and its rendering.
        preview = {k: render_markdown(v) for k, v in data.items()}
        return render_template("admin/incident.html", **detail_context(
            incident_id, preview=preview, draft=data))
    if postmortems.find(incident_id) is None:
        postmortems.create(actor(), incident_id, data)
    else:
        postmortems.update(actor(), incident_id, data)
    commit()
    return back_to("admin.incident", "postmortem", incident_id=incident_id)


@bp.post("/incidents/<id:incident_id>/postmortem/publish")
@requires("responder")
def publish_postmortem(incident_id):
    postmortems.publish(actor(), incident_id)
    commit()
    return back_to("admin.incident", "postmortem", incident_id=incident_id)


@bp.post("/preview")
@requires("responder")
def preview():
    """JSON ``{"text"}`` → ``{"html"}``: the same sanitised rendering the public page uses."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise BadRequest('Send {"text": "..."} as JSON.')
    if len(data["text"]) > MAX_BODY:
        raise BadRequest(f"The text is longer than {MAX_BODY} characters.")
    return jsonify(html=str(render_markdown(data["text"])))


@bp.post("/incidents/<id:incident_id>/action-items")
@requires("responder")
def add_action_item(incident_id):
    action_items.create(actor(), incident_id,
                        forms.load(ActionItemCreateSchema, _item_data(request.form)))
    commit()
    return back_to("admin.incident", "action-items", incident_id=incident_id)


@bp.post("/action-items/<id:item_id>")
@requires("responder")
def edit_action_item(item_id):
    item = action_items.update(actor(), item_id,
                               forms.load(ActionItemUpdateSchema, _item_data(request.form)))
    incident_id = action_items.incident_id_of(item)
    commit()
    return back_to("admin.incident", "action-items", incident_id=incident_id)


@bp.post("/action-items/<id:item_id>/delete")
@requires("responder")
def delete_action_item(item_id):
    incident_id = action_items.incident_id_of(action_items.get(item_id))
    action_items.delete(actor(), item_id)
    commit()
    return back_to("admin.incident", "action-items", incident_id=incident_id)
