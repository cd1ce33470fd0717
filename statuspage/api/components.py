"""Component and component-group management."""
from __future__ import annotations

from ..models import Component, ComponentGroup
from ..schemas.components import (
    ComponentArchivedSchema,
    ComponentHistoryArgs,
    ComponentListArgs,
    ComponentStatusChangeSchema,
    ReorderSchema,
    ComponentCreateSchema,
    ComponentGroupCreateSchema,
    ComponentGroupSchema,
    ComponentGroupUpdateSchema,
    ComponentSchema,
    ComponentUpdateSchema,
    OrphanedSubscriberSchema,
)
from ..services import components
from .blueprint import bp
from .auth import current_actor
from .endpoint import endpoint

WRITE_ERRORS = (400, 401, 403, 409, 415, 422, 429)


@bp.get("/components")
@endpoint("List components (archived ones with archived=true)", args=ComponentListArgs,
          response=ComponentSchema, listing="items", errors=(401, 422), tags=("components",))
def list_components(args):
    return components.list_all(archived=args["archived"])


@bp.post("/components")
@endpoint("Create a component", role="admin", body=ComponentCreateSchema, response=ComponentSchema,
          status=201, write=True, errors=WRITE_ERRORS, tags=("components",))
def create_component(body):
    return components.create(current_actor(), body)


@bp.get("/components/<id:component_id>")
@endpoint("Component details", response=ComponentSchema, errors=(401, 404), tags=("components",))
def get_component(component_id):
    return components.get(component_id)


@bp.patch("/components/<id:component_id>")
@endpoint("Edit a component or set its status", role="admin", body=ComponentUpdateSchema,
          response=ComponentSchema, write=True, errors=WRITE_ERRORS + (404,), tags=("components",))
def update_component(component_id, body):
    return components.update(current_actor(), component_id, body)


@bp.delete("/components/<id:component_id>")
@endpoint("Archive a component: it leaves the page and new use, its history stays; "
          "lists the subscribers left with nothing to follow", role="admin",
          response=ComponentArchivedSchema, write=True, errors=(401, 403, 404, 429),
          tags=("components",))
def delete_component(component_id):
    component = components.archive(current_actor(), component_id)
    orphans = components.orphaned_subscribers([component_id])
    return {**ComponentSchema().dump(component),
            "orphaned_subscribers": OrphanedSubscriberSchema(many=True).dump(orphans)}


@bp.post("/components/<id:component_id>/restore")
@endpoint("Restore an archived component", role="admin", response=ComponentSchema, write=True,
          errors=(401, 403, 404, 429), tags=("components",))
def restore_component(component_id):
    return components.restore(current_actor(), component_id)


@bp.get("/component-groups")
@endpoint("List component groups with their components", response=ComponentGroupSchema,
          listing="items", errors=(401,), tags=("components",))
def list_groups():
    return components.list_groups()


@bp.post("/component-groups")
@endpoint("Create a component group", role="admin", body=ComponentGroupCreateSchema,
          response=ComponentGroupSchema, status=201, write=True, errors=WRITE_ERRORS,
          tags=("components",))
def create_group(body):
    return components.create_group(current_actor(), body)


@bp.patch("/component-groups/<id:group_id>")
@endpoint("Edit a component group", role="admin", body=ComponentGroupUpdateSchema,
          response=ComponentGroupSchema, write=True, errors=WRITE_ERRORS + (404,),
          tags=("components",))
def update_group(group_id, body):
    return components.update_group(current_actor(), group_id, body)


@bp.delete("/component-groups/<id:group_id>")
@endpoint("Delete a component group (its components stay, ungrouped)", role="admin", status=204,
          write=True, errors=(401, 403, 404, 429), tags=("components",))
def delete_group(group_id):
    components.delete_group(current_actor(), group_id)


@bp.get("/component-groups/<id:group_id>")
@endpoint("Component group details", response=ComponentGroupSchema, errors=(401, 404),
          tags=("components",))
def get_group(group_id):
    return components.get_group(group_id)


@bp.put("/components/order")
@endpoint("Reorder components: list every id once, in display order", role="admin",
          body=ReorderSchema, response=ComponentSchema, listing="items", write=True,
          errors=WRITE_ERRORS, tags=("components",))
def reorder_components(body):
    return components.reorder(current_actor(), Component, body["ids"], "component")


@bp.put("/component-groups/order")
@endpoint("Reorder component groups: list every id once, in display order", role="admin",
          body=ReorderSchema, response=ComponentGroupSchema, listing="items", write=True,
          errors=WRITE_ERRORS, tags=("components",))
def reorder_groups(body):
    return components.reorder(current_actor(), ComponentGroup, body["ids"], "component_group")


@bp.get("/components/<id:component_id>/history")
@endpoint("The component's status history, newest first (from, to, at, incident, actor)",
          args=ComponentHistoryArgs, response=ComponentStatusChangeSchema, listing="page",
          errors=(401, 404, 422), tags=("components",))
def component_history(component_id, args):
    page, per_page = args.pop("page"), args.pop("per_page")
    return components.history(component_id, args, page, per_page)
