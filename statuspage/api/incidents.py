"""Incident lifecycle endpoints."""
from __future__ import annotations

from ..schemas.incidents import (
    IncidentCreateSchema,
    IncidentDetailSchema,
    IncidentListArgs,
    IncidentPatchSchema,
    TransitionSchema,
    IncidentSchema,
    UpdateCreateSchema,
    UpdateSchema,
)
from ..schemas.common import PaginationArgs
from ..services import incidents
from .blueprint import bp
from .auth import current_actor
from .endpoint import endpoint

WRITE_ERRORS = (400, 401, 403, 409, 415, 422, 429)


@bp.get("/incidents")
@endpoint("List incidents", args=IncidentListArgs, response=IncidentSchema, listing="page", errors=(401, 422),
          tags=("incidents",))
def list_incidents(args):
    page, per_page = args.pop("page"), args.pop("per_page")
    return incidents.list_incidents(args, page, per_page)


@bp.post("/incidents")
@endpoint("Declare an incident", role="responder", body=IncidentCreateSchema,
          response=IncidentDetailSchema, status=201, write=True, errors=WRITE_ERRORS,
          tags=("incidents",))
def create_incident(body):
    return incidents.create(current_actor(), body)


@bp.get("/incidents/<id:incident_id>")
@endpoint("Incident details with its timeline", response=IncidentDetailSchema, errors=(401, 404),
          tags=("incidents",))
def get_incident(incident_id):
    return incidents.get(incident_id)


@bp.patch("/incidents/<id:incident_id>")
@endpoint("Edit an incident (status only through /transition)", role="responder",
          body=IncidentPatchSchema, response=IncidentDetailSchema, write=True,
          errors=WRITE_ERRORS + (404,), tags=("incidents",))
def patch_incident(incident_id, body):
    return incidents.patch(current_actor(), incident_id, body)


@bp.post("/incidents/<id:incident_id>/transition")
@endpoint("Move an incident along its lifecycle", role="responder", body=TransitionSchema,
          response=IncidentDetailSchema, write=True, errors=WRITE_ERRORS + (404,),
          tags=("incidents",))
def transition_incident(incident_id, body):
    return incidents.transition(current_actor(), incident_id, body["to"], body["message"],
                                body["visibility"], body["notify"])


@bp.get("/incidents/<id:incident_id>/updates")
@endpoint("The incident's timeline", args=PaginationArgs, response=UpdateSchema, listing="page",
          errors=(401, 404, 422), tags=("incidents",))
def list_updates(incident_id, args):
    return incidents.list_updates(incident_id, args["page"], args["per_page"])


@bp.post("/incidents/<id:incident_id>/updates")
@endpoint("Post a timeline update", role="responder", body=UpdateCreateSchema,
          response=UpdateSchema, status=201, write=True, errors=WRITE_ERRORS + (404,),
          tags=("incidents",))
def post_update(incident_id, body):
    return incidents.post_update(current_actor(), incident_id, body)
