"""Users and API tokens (admins only). A new token's secret is shown on one page, once."""
from __future__ import annotations

from flask import render_template, request

from ..api.users import guard_self
from ..schemas.users import TokenCreateSchema, UserCreateSchema, UserUpdateSchema
from ..services import users
from . import forms
from .blueprint import bp
from .helpers import actor, back_to, commit, requires


def _page(status: int = 200, **extra):
    people = users.list_users()
    tokens = {u.id: users.list_tokens(u.id) for u in people}
    return render_template("admin/users.html", people=people, tokens=tokens, **extra), status


@bp.get("/users", endpoint="users")
@requires("admin")
def users_page():
    return _page()


@bp.post("/users")
@requires("admin")
def create_user():
    form = request.form
    body = forms.load(UserCreateSchema, {"email": form.get("email", ""), "name": form.get("name", ""),
                                         "role": form.get("role", "viewer"),
                                         "password": form.get("password") or None})
    users.create_user(actor(), body["email"], body["name"], body["role"], body["password"])
    commit()
    return back_to("admin.users")


@bp.post("/users/<id:user_id>")
@requires("admin")
def update_user(user_id):
    form = request.form
    data = forms.optional(form, "name", "role")
    if "active" in form:
        data["active"] = form["active"] == "true"
    body = forms.load(UserUpdateSchema, data)
    guard_self(actor(), user_id, body)
    users.update_user(actor(), user_id, body)
    commit()
    return back_to("admin.users", f"user-{user_id}")


@bp.post("/users/<id:user_id>/tokens")
@requires("admin")
def create_token(user_id):
    body = forms.load(TokenCreateSchema, {"name": request.form.get("name", "")})
    token, raw = users.create_token(actor(), users.get_user(user_id), body["name"])
    commit()
    # Rendered, not redirected: the secret exists in this response only.
    return _page(201, new_token={"raw": raw, "name": token.name, "user_id": user_id})


@bp.post("/tokens/<id:token_id>/revoke")
@requires("admin")
def revoke_token(token_id):
    token = users.revoke_token(actor(), token_id)
    commit()
    return back_to("admin.users", f"user-{token.user_id}")
