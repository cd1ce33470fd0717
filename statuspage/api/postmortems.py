"""Postmortems, their publication and Markdown export, and action items."""
from __future__ import annotations

from flask import Response

from ..schemas.postmortems import (
    ActionItemCreateSchema,
    ActionItemSchema,
    ActionItemUpdateSchema,
    PostmortemSchema,
    PostmortemWriteSchema,
)
from ..services import action_items, postmortem_export, postmortems
from .blueprint import bp
from .auth import current_actor
from .endpoint import endpoint

WRITE_ERRORS = (400, 401, 403, 404, 409, 415, 422, 429)
TAGS = ("postmortems",)


@bp.get("/incidents/<id:incident_id>/postmortem")
@endpoint("The incident's postmortem (draft or published)", response=PostmortemSchema,
          errors=(401, 404), tags=TAGS)
def get_postmortem(incident_id):
    return postmortems.get(incident_id)


@bp.post("/incidents/<id:incident_id>/postmortem")
@endpoint("Start the postmortem draft (one per incident)", role="responder",
          body=PostmortemWriteSchema, response=PostmortemSchema, status=201, write=True,
          errors=WRITE_ERRORS, tags=TAGS)
def create_postmortem(incident_id, body):
    return postmortems.create(current_actor(), incident_id, body)


@bp.patch("/incidents/<id:incident_id>/postmortem")
@endpoint("Edit the postmortem", role="responder", body=PostmortemWriteSchema,
          response=PostmortemSchema, write=True, errors=WRITE_ERRORS, tags=TAGS)
def update_postmortem(incident_id, body):
    return postmortems.update(current_actor(), incident_id, body)


@bp.post("/incidents/<id:incident_id>/postmortem/publish")
@endpoint("Publish the postmortem and notify subscribers (409 until resolved; repeat = no-op)",
          role="responder", response=PostmortemSchema, write=True, errors=WRITE_ERRORS, tags=TAGS)
def publish_postmortem(incident_id):
    return postmortems.publish(current_actor(), incident_id)


@bp.get("/incidents/<id:incident_id>/postmortem/export")
@endpoint("Markdown download: sections, full timeline (UTC) and action items",
          errors=(401, 404), tags=TAGS, media_type="text/markdown")
def export_postmortem(incident_id):
    return Response(postmortem_export.render(incident_id), mimetype="text/markdown", headers={
        "Content-Disposition": f'attachment; filename="incident-{incident_id}-postmortem.md"'})


@bp.get("/incidents/<id:incident_id>/postmortem/action-items")
@endpoint("The postmortem's action items", response=ActionItemSchema, listing="items",
          errors=(401, 404), tags=TAGS)
def list_action_items(incident_id):
    return action_items.list_for(incident_id)


@bp.post("/incidents/<id:incident_id>/postmortem/action-items")
@endpoint("Add an action item", role="responder", body=ActionItemCreateSchema,
          response=ActionItemSchema, status=201, write=True, errors=WRITE_ERRORS, tags=TAGS)
def create_action_item(incident_id, body):
    return action_items.create(current_actor(), incident_id, body)


@bp.patch("/action-items/<id:item_id>")
@endpoint("Edit an action item", role="responder", body=ActionItemUpdateSchema,
          response=ActionItemSchema, write=True, errors=WRITE_ERRORS, tags=TAGS)
def update_action_item(item_id, body):
    return action_items.update(current_actor(), item_id, body)


@bp.delete("/action-items/<id:item_id>")
@endpoint("Remove an action item", role="responder", status=204, write=True,
          errors=(401, 403, 404, 429), tags=TAGS)
def delete_action_item(item_id):
    action_items.delete(current_actor(), item_id)
