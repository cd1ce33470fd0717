"""Incident and update templates."""
from __future__ import annotations

from ..schemas.templates import (
    TemplateCreateSchema,
    TemplateListArgs,
    TemplateSchema,
    TemplateUpdateSchema,
)
from ..services import templates
from .blueprint import bp
from .auth import current_actor
from .endpoint import endpoint

WRITE_ERRORS = (400, 401, 403, 415, 422, 429)
TAGS = ("templates",)


@bp.get("/templates")
@endpoint("List templates (filter by kind)", args=TemplateListArgs, response=TemplateSchema,
          listing="items", errors=(401, 422), tags=TAGS)
def list_templates(args):
    return templates.list_all(args.get("kind"))


@bp.post("/templates")
@endpoint("Create a template", role="admin", body=TemplateCreateSchema, response=TemplateSchema,
          status=201, write=True, errors=WRITE_ERRORS, tags=TAGS)
def create_template(body):
    return templates.create(current_actor(), body)


@bp.get("/templates/<id:template_id>")
@endpoint("Template details", response=TemplateSchema, errors=(401, 404), tags=TAGS)
def get_template(template_id):
    return templates.get(template_id)


@bp.patch("/templates/<id:template_id>")
@endpoint("Edit a template", role="admin", body=TemplateUpdateSchema, response=TemplateSchema,
          write=True, errors=WRITE_ERRORS + (404,), tags=TAGS)
def update_template(template_id, body):
    return templates.update(current_actor(), template_id, body)


@bp.delete("/templates/<id:template_id>")
@endpoint("Delete a template", role="admin", status=204, write=True,
          errors=(401, 403, 404, 429), tags=TAGS)
def delete_template(template_id):
    templates.delete(current_actor(), template_id)
