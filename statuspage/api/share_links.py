"""Share links for a private page (admins only)."""
from __future__ import annotations

from flask import current_app

from ..schemas.share_links import ShareLinkCreateSchema, ShareLinkSchema
from ..services import share_links
from .auth import current_actor
from .blueprint import bp
from .endpoint import endpoint

TAGS = ("share-links",)


@bp.post("/share-links")
@endpoint("Create a share link to the private page (the URL is shown once)", role="admin",
          body=ShareLinkCreateSchema, response=ShareLinkSchema, status=201, write=True,
          errors=(400, 401, 403, 415, 422, 429), tags=TAGS)
def create_share_link(body):
    link, raw = share_links.create(current_actor(), body["label"], body["expires_at"])
    url = f"{current_app.config['PUBLIC_BASE_URL']}/status?share={raw}"
    return {**ShareLinkSchema().dump(link), "url": url}


@bp.get("/share-links")
@endpoint("List share links", role="admin", response=ShareLinkSchema, listing="items",
          errors=(401, 403), tags=TAGS)
def list_share_links():
    return share_links.list_all()


@bp.post("/share-links/<id:link_id>/revoke")
@endpoint("Revoke a share link at once", role="admin", response=ShareLinkSchema, write=True,
          errors=(401, 403, 404, 429), tags=TAGS)
def revoke_share_link(link_id):
    return share_links.revoke(current_actor(), link_id)
