"""The session cookie: Flask's signed cookie, marked Secure whenever the request is HTTPS."""
from __future__ import annotations

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    """Secure under HTTPS even when SESSION_COOKIE_SECURE is left off (behind a TLS proxy,
    ProxyFix makes ``request.is_secure`` true from X-Forwarded-Proto)."""

    def get_cookie_secure(self, app) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)
