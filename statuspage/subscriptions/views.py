"""Subscribe form, and the confirm / manage / unsubscribe pages behind signed links.

A GET never changes anything (mail scanners prefetch links); each change is a
POST with a CSRF token, except RFC 8058 one-click unsubscribe, which mail
clients send without cookies or tokens.
"""
from __future__ import annotations

from flask import Response, render_template, request
from sqlalchemy import select

from ..errors import RateLimited, ValidationFailed
from ..extensions import csrf, db
from ..i18n import locale_code
from ..models import Component, Incident
from ..net import client_ip
from ..services import subscribers, tokens
from .blueprint import bp

_MAX_TOKEN = 512


@bp.after_request
def _private(response: Response) -> Response:
    # Token URLs must not leak through Referer, caches or search engines.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _components():
    return list(db.session.scalars(select(Component).where(Component.active)
                                   .order_by(Component.position, Component.id)))


def _ids(values) -> list[int]:
    return [int(v) for v in values if v.isdigit() and 0 < int(v) < 2**31]


def _form_page(status: int = 200, errors: dict | None = None, **values):
    incident = None
    if (incident_id := values.get("incident_id")) is not None:
        incident = db.session.get(Incident, incident_id)
        if incident is not None and incident.visibility != "public":
            incident = None
    return render_template("subscriptions/subscribe.html", components=_components(),
                           incident=incident, errors=errors or {}, values=values), status


def _invalid(exc: tokens.InvalidToken):
    return render_template("subscriptions/invalid.html", reason=exc.reason), 400


def _load(purpose: str, token: str):
    if len(token) > _MAX_TOKEN:
        raise tokens.InvalidToken("invalid")
    return subscribers.from_token(purpose, token)


@bp.get("/")
def subscribe_form():
    incident = request.args.get("incident", "")
    return _form_page(incident_id=int(incident) if _ids([incident]) else None)


@bp.post("/")
def subscribe():
    form = request.form
    incident_id = _ids([form.get("incident_id", "")])
    component_ids = _ids(form.getlist("component_ids")) if form.get("scope") == "components" else []
    values = {"email": form.get("email", "")[:320], "scope": form.get("scope", "all"),
              "incident_id": incident_id[0] if incident_id else None, "component_ids": component_ids,
              "mode": "daily" if form.get("mode") == "daily" else "immediate"}
    if values["scope"] == "components" and not component_ids:
        return _form_page(422, {"component_ids": ["Choose at least one component."]}, **values)
    try:
        subscribers.subscribe(values["email"], incident_id=values["incident_id"],
                              component_ids=component_ids or None, ip=client_ip(), mode=values["mode"],
                              locale=locale_code())
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        return _form_page(422, exc.extra["errors"], **values)
    except RateLimited as exc:
        db.session.rollback()
        page, status = _form_page(429, {"_": [exc.detail]}, **values)
        return page, status, exc.headers
    return render_template("subscriptions/requested.html")


@bp.get("/confirm/<token>")
def confirm_page(token):
    try:
        sub = _load("confirm", token)
    except tokens.InvalidToken as exc:
        return _invalid(exc)
    return render_template("subscriptions/confirm.html", subscriber=sub, token=token, done=False)


@bp.post("/confirm/<token>")
def confirm(token):
    try:
        _load("confirm", token)
        sub = subscribers.confirm(token)
        db.session.commit()
    except tokens.InvalidToken as exc:
        return _invalid(exc)
    manage_url = tokens.url("manage", sub.id, sub.email)
    # A webhook's signing secret exists from this moment and is shown on this page only.
    return render_template("subscriptions/confirm.html", subscriber=sub, done=True,
                           manage_url=manage_url, secret=getattr(sub, "plain_secret", None))


@bp.get("/manage/<token>")
def manage_page(token):
    try:
        sub = _load("manage", token)
    except tokens.InvalidToken as exc:
        return _invalid(exc)
    return _manage(sub, token)


def _manage(sub, token, status=200, errors=None, saved=False):
    chosen = {c.component_id for c in sub.components}
    return render_template("subscriptions/manage.html", subscriber=sub, token=token,
                           components=_components(), chosen=chosen, errors=errors or {},
                           saved=saved, status=subscribers.status_of(sub)), status


@bp.post("/manage/<token>")
def manage(token):
    try:
        sub = _load("manage", token)
        if request.form.get("action") == "unsubscribe":
            subscribers.unsubscribe("manage", token)
            db.session.commit()
            return render_template("subscriptions/unsubscribe.html", done=True, token=token)
        scope = "components" if request.form.get("scope") == "components" else "all"
        mode = request.form.get("mode") if request.form.get("mode") in ("immediate", "daily") else None
        sub = subscribers.change_scope(token, scope, _ids(request.form.getlist("component_ids")), mode,
                                       request.form.get("locale"))
        db.session.commit()
    except tokens.InvalidToken as exc:
        return _invalid(exc)
    except ValidationFailed as exc:
        db.session.rollback()
        return _manage(sub, token, 422, exc.extra["errors"])
    return _manage(sub, token, saved=True)


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token):
    try:
        _load("unsubscribe", token)
    except tokens.InvalidToken as exc:
        return _invalid(exc)
    return render_template("subscriptions/unsubscribe.html", done=False, token=token)


@bp.post("/unsubscribe/<token>")
@csrf.exempt  # RFC 8058: mail clients POST without cookies or CSRF tokens; the token authorises
def unsubscribe(token):
    if request.form.get("List-Unsubscribe") != "One-Click":
        return render_template("subscriptions/unsubscribe.html", done=False, token=token,
                               error="The request is missing List-Unsubscribe=One-Click."), 400
    try:
        _load("unsubscribe", token)
        subscribers.unsubscribe("unsubscribe", token)
        db.session.commit()
    except tokens.InvalidToken as exc:
        return _invalid(exc)
    return render_template("subscriptions/unsubscribe.html", done=True, token=token)
