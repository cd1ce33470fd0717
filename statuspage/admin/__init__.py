"""The operators' console under /admin/: server-rendered pages, plain form posts,
Alpine for modals, shortcuts and live updates.

Views parse forms into the same shapes the API schemas accept and call the
same services with the signed-in user as the actor; one commit per request.
"""
from __future__ import annotations

from flask import Flask, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from ..errors import DomainError
from .blueprint import bp
from . import i18n
from .i18n import _c

# Reachable without a session.
OPEN_ENDPOINTS = {"admin.login", "admin.login_post"}


@bp.before_request
def _signed_in():
    if request.endpoint in OPEN_ENDPOINTS or current_user.is_authenticated:
        return None
    return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))


@bp.after_request
def _private(response):
    # Console pages carry internal data: never stored by shared caches.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    return _error_page(exc.status, exc.title, exc.detail, exc.extra.get("errors") or {},
                       getattr(exc, "headers", None))


@bp.errorhandler(ValidationError)
def _invalid(exc: ValidationError):
    errors = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    return _error_page(422, _c("Validation failed"), _c("Some fields are not valid."), errors)


def _error_page(status: int, title: str, detail: str, errors: dict, headers=None):
    back = request.referrer if (request.referrer or "").startswith(request.host_url) else None
    body = render_template("admin/error.html", title=title, detail=detail, errors=errors,
                           back=back, status=status)
    return body, status, headers or {}


def _context() -> dict:
    if request.blueprint != "admin":
        return {}
    from .shell import shell_context

    return shell_context()


def init_app(app: Flask) -> None:
    from ..sessions import SessionInterface
    from . import (views_audit, views_auth, views_automation, views_components,  # noqa: F401
                   views_incident, views_incidents, views_integrations, views_maintenance,
                   views_postmortem, views_settings, views_subscribers, views_templates, views_users)

    from ..domain.statuses import label
    from .shell import initials

    app.session_interface = SessionInterface()
    # Globals, not context: macros imported into templates see them too.
    app.add_template_global(label, "label")
    app.add_template_global(initials, "initials")
    app.add_template_global(views_audit.target_url, "audit_target_url")
    app.context_processor(_context)
    i18n.init_app(app)
    app.register_blueprint(bp)
    from ..extensions import login_manager

    login_manager.login_view = "admin.login"
