"""Request-derived facts shared by rate limits, audit and logs."""
from flask import has_request_context, request


def client_ip() -> str:
    """The client address as seen after ProxyFix (never the raw X-Forwarded-For)."""
    if not has_request_context():
        return "-"
    return request.remote_addr or "-"
