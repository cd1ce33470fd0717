"""Sign in, sign out, change password.

Unknown address and wrong password get the same page, status and timing
(``users.authenticate`` hashes a dummy password); attempts are limited per
client address and per account in Redis.
"""
from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..errors import RateLimited, ValidationFailed
from ..extensions import db
from ..models import utcnow
from ..net import client_ip
from ..services import audit, login_failures, ratelimit, user_sessions, users
from .blueprint import bp
from .helpers import actor, back_to, commit, form_text, safe_next
from .i18n import C_, _c, _cn

FAILED = C_("The email address or password is not correct.")
# Counted per address typed, whether or not it has an account: the answer tells nobody which.
ACCOUNT_LOCKED = C_("Too many failed sign-in attempts for this account. "
                    "For its safety, sign-in is paused: try again in %(wait)s.")
ADDRESS_LIMITED = C_("Too many sign-in attempts from your network. Try again in %(wait)s.")


def _login_page(status: int = 200, error: str | None = None, email: str = "", headers=None):
    return (render_template("admin/login.html", error=error, email=email,
                            next=safe_next(request.values.get("next"), "")), status, headers or {})


@bp.get("/login")
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("admin.incidents")))
    return _login_page()


def _duration(seconds: int) -> str:
    if seconds < 60:
        return _cn("%(num)d second", "%(num)d seconds", seconds)
    minutes = -(-seconds // 60)
    return _cn("%(num)d minute", "%(num)d minutes", minutes)


def _check_limits(email: str) -> None:
    ip_limit, ip_window = current_app.config["LOGIN_LIMIT_PER_IP"]
    account_limit, account_window = current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]
    wait = ratelimit.hit("login-ip", client_ip(), ip_limit, ip_window)
    if wait:
        raise RateLimited(_c(ADDRESS_LIMITED, wait=_duration(wait)), wait)
    wait = ratelimit.hit("login-account", email, account_limit, account_window)
    if wait:
        raise RateLimited(_c(ACCOUNT_LOCKED, wait=_duration(wait)), wait)


@bp.post("/login")
def login_post():
    email = form_text("email", 254).strip().lower()
    password = form_text("password", 200)
    try:
        _check_limits(email)
    except RateLimited as exc:
        # No audit row: refused attempts cost nothing to send, so they must write nothing.
        return _login_page(429, exc.detail, email, exc.headers)
    user = users.authenticate(email, password)
    if user is None:
        # One shape whether or not the address exists: no target id, same reason.
        login_failures.record(email)
        commit()
        return _login_page(401, _c(FAILED), email)
    ratelimit.clear("login-account", email)
    target = safe_next(request.form.get("next"), url_for("admin.incidents"))
    user.last_login_at = utcnow()
    audit.record(users.actor_for(user), "auth.login", "user", user.id)
    _sign_in(user)
    return redirect(target, code=303)


def _sign_in(user) -> None:
    """Open a server-side session and commit; the cookie then names only its key."""
    user_sessions.start(user)
    commit()
    # A fresh cookie: nothing from before (fixation, an old CSRF token) survives.
    session.clear()
    login_user(user)
    session.permanent = False


@bp.post("/logout")
def logout():
    audit.record(actor(), "auth.logout", "user", current_user.id)
    user_sessions.end(current_user.session_key)  # a replayed copy of the cookie dies too
    commit()
    logout_user()
    session.clear()
    return redirect(url_for("admin.login"), code=303)


@bp.get("/account/password")
def password_form():
    return render_template("admin/password.html", errors={})


@bp.post("/account/password")
def password_change():
    new, confirm = form_text("new_password", 200), form_text("confirm_password", 200)
    user = current_user._get_current_object()
    try:
        if new != confirm:
            raise ValidationFailed({"confirm_password": [_c("The two new passwords differ.")]})
        users.change_password(actor(), user, form_text("current_password", 200), new)
    except ValidationFailed as exc:
        db.session.rollback()
        return render_template("admin/password.html", errors=exc.extra["errors"]), 422
    # Every session of this user ended, this one too; this browser goes on in a new one.
    _sign_in(user)
    return back_to("admin.password_form", changed=1)
