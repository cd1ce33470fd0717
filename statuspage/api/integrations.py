"""Integrations (admin): chat channels and alert senders, one CRUD for every kind."""
from __future__ import annotations

from ..schemas.integrations import (
    IntegrationCreateSchema,
    IntegrationListArgs,
    IntegrationSchema,
    load_update,
)
from ..schemas.subscribers import DeliverySchema
from ..services import integrations
from .auth import current_actor
from .blueprint import bp
from .endpoint import endpoint, load_body

WRITE_ERRORS = (400, 401, 403, 415, 422, 429)
TAGS = ("integrations",)


@bp.get("/integrations")
@endpoint("List integrations with their last delivery result", role="admin",
          args=IntegrationListArgs, response=IntegrationSchema, listing="items",
          errors=(401, 403, 422), tags=TAGS)
def list_integrations(args):
    return integrations.list_all(args.get("kind"))


@bp.post("/integrations")
@endpoint("Add an integration (its secret is never shown in full again)", role="admin",
          body=IntegrationCreateSchema, response=IntegrationSchema, status=201, write=True,
          errors=WRITE_ERRORS, tags=TAGS)
def create_integration(body):
    return integrations.create(current_actor(), body)


@bp.get("/integrations/<id:integration_id>")
@endpoint("Integration details (secret redacted)", role="admin", response=IntegrationSchema,
          errors=(401, 403, 404), tags=TAGS)
def get_integration(integration_id):
    return integrations.get(integration_id)


@bp.patch("/integrations/<id:integration_id>")
@endpoint("Edit an integration (fields of its kind; kind itself is fixed)", role="admin",
          response=IntegrationSchema, write=True, errors=WRITE_ERRORS + (404,), tags=TAGS)
def update_integration(integration_id):
    kind = integrations.get(integration_id).kind
    body = load_body(lambda data: load_update(kind, data))
    return integrations.update(current_actor(), integration_id, body)


@bp.delete("/integrations/<id:integration_id>")
@endpoint("Delete an integration", role="admin", status=204, write=True,
          errors=(401, 403, 404, 429), tags=TAGS)
def delete_integration(integration_id):
    integrations.delete(current_actor(), integration_id)


@bp.post("/integrations/<id:integration_id>/test")
@endpoint("Queue a test message to a chat integration", role="admin", response=DeliverySchema,
          status=202, write=True, errors=(401, 403, 404, 409, 429), tags=TAGS)
def test_integration(integration_id):
    return integrations.send_test(current_actor(), integration_id)
