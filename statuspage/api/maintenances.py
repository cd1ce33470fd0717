"""Scheduled maintenance windows."""
from __future__ import annotations

from ..schemas.maintenances import (
    MaintenanceCreateSchema,
    MaintenanceListArgs,
    MaintenanceSchema,
    MaintenanceTransitionSchema,
    MaintenanceUpdateSchema,
)
from ..services import maintenance
from .blueprint import bp
from .auth import current_actor
from .endpoint import endpoint

WRITE_ERRORS = (400, 401, 403, 409, 415, 422, 429)
TAGS = ("maintenance",)


@bp.get("/maintenances")
@endpoint("List maintenance windows, soonest first", args=MaintenanceListArgs,
          response=MaintenanceSchema, listing="page", errors=(401, 422), tags=TAGS)
def list_maintenances(args):
    page, per_page = args.pop("page"), args.pop("per_page")
    return maintenance.list_maintenances(args, page, per_page)


@bp.post("/maintenances")
@endpoint("Schedule a maintenance window (the worker starts and completes it on time)",
          role="admin", body=MaintenanceCreateSchema, response=MaintenanceSchema, status=201,
          write=True, errors=WRITE_ERRORS, tags=TAGS)
def create_maintenance(body):
    return maintenance.create(current_actor(), body)


@bp.get("/maintenances/<id:maintenance_id>")
@endpoint("Maintenance window details", response=MaintenanceSchema, errors=(401, 404), tags=TAGS)
def get_maintenance(maintenance_id):
    return maintenance.get(maintenance_id)


@bp.patch("/maintenances/<id:maintenance_id>")
@endpoint("Edit a window (status only through /transition)", role="admin",
          body=MaintenanceUpdateSchema, response=MaintenanceSchema, write=True,
          errors=WRITE_ERRORS + (404,), tags=TAGS)
def update_maintenance(maintenance_id, body):
    return maintenance.update(current_actor(), maintenance_id, body)


@bp.post("/maintenances/<id:maintenance_id>/transition")
@endpoint("Move a window along its lifecycle (scheduled → in_progress ⇄ verifying → completed)",
          role="admin", body=MaintenanceTransitionSchema, response=MaintenanceSchema, write=True,
          errors=WRITE_ERRORS + (404,), tags=TAGS)
def transition_maintenance(maintenance_id, body):
    return maintenance.transition(current_actor(), maintenance_id, body["to"])


@bp.delete("/maintenances/<id:maintenance_id>")
@endpoint("Delete a window that is not in progress", role="admin", status=204, write=True,
          errors=(401, 403, 404, 409, 429), tags=TAGS)
def delete_maintenance(maintenance_id):
    maintenance.delete(current_actor(), maintenance_id)
