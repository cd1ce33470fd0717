"""The session cookie: Flask's signed cookie, marked Secure whenever the request is HTTPS."""
from __future__ import annotations

from flask import has_request_context, request

from .public.cache import PublicSessionInterface


class SessionInterface(PublicSessionInterface):
    """Secure under HTTPS even when SESSION_COOKIE_SECURE is left off (behind a TLS proxy,
    ProxyFix makes ``request.is_secure`` true from X-Forwarded-Proto). It extends the public
    cache's interface, so cached public answers still carry no ``Vary: Cookie``."""

    def get_cookie_secure(self, app) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)
