"""Console users and API tokens (admins only)."""
from __future__ import annotations

from ..errors import Conflict
from ..schemas.users import (
    NewTokenSchema,
    TokenCreateSchema,
    TokenSchema,
    UserCreateSchema,
    UserSchema,
    UserUpdateSchema,
)
from ..services import users
from .blueprint import bp
from .auth import current_actor
from .endpoint import endpoint

WRITE_ERRORS = (400, 401, 403, 409, 415, 422, 429)
TAGS = ("users",)


def guard_self(actor, user_id: int, data: dict) -> None:
    """An admin cannot lock themselves out (demote or deactivate their own account)."""
    if actor.user_id == user_id and (data.get("active") is False
                                     or data.get("role", "admin") != "admin"):
        raise Conflict("You cannot demote or deactivate your own account.")


@bp.get("/users")
@endpoint("List console users", role="admin", response=UserSchema, listing="items",
          errors=(401, 403), tags=TAGS)
def list_users():
    return users.list_users()


@bp.post("/users")
@endpoint("Create a console user", role="admin", body=UserCreateSchema, response=UserSchema,
          status=201, write=True, errors=WRITE_ERRORS, tags=TAGS)
def create_user(body):
    return users.create_user(current_actor(), body["email"], body["name"], body["role"],
                             body["password"])


@bp.get("/users/<id:user_id>")
@endpoint("User details", role="admin", response=UserSchema, errors=(401, 403, 404), tags=TAGS)
def get_user(user_id):
    return users.get_user(user_id)


@bp.patch("/users/<id:user_id>")
@endpoint("Change a user's name, role, password or deactivate them", role="admin",
          body=UserUpdateSchema, response=UserSchema, write=True, errors=WRITE_ERRORS + (404,),
          tags=TAGS)
def update_user(user_id, body):
    guard_self(current_actor(), user_id, body)
    return users.update_user(current_actor(), user_id, body)


@bp.get("/users/<id:user_id>/tokens")
@endpoint("A user's API tokens (never the secrets)", role="admin", response=TokenSchema,
          listing="items", errors=(401, 403, 404), tags=TAGS)
def list_tokens(user_id):
    return users.list_tokens(user_id)


@bp.post("/users/<id:user_id>/tokens")
@endpoint("Create an API token for a user; the secret is in this answer only", role="admin",
          body=TokenCreateSchema, response=NewTokenSchema, status=201, write=True,
          idempotent=False, errors=WRITE_ERRORS + (404,), tags=TAGS)
def create_token(user_id, body):
    token, raw = users.create_token(current_actor(), users.get_user(user_id), body["name"])
    return {**TokenSchema().dump(token), "token": raw}


@bp.delete("/tokens/<id:token_id>")
@endpoint("Revoke an API token (repeat = no-op)", role="admin", status=204, write=True,
          errors=(401, 403, 404, 429), tags=TAGS)
def revoke_token(token_id):
    users.revoke_token(current_actor(), token_id)
