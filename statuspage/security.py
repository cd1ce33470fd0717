"""Security headers on every response.

A strict CSP without 'unsafe-inline' or 'unsafe-eval' (Alpine runs in its CSP
build); no framing anywhere except the small embed widget.
"""
from __future__ import annotations

from flask import Flask, current_app, request

EMBEDDABLE_ENDPOINTS = {"public.embed"}

_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors {ancestors}")


def _apply(response):
    # setdefault: a view may tighten a header (token pages send no Referer at
    # all); nothing here is loosened by anyone but the embed.
    headers = response.headers
    embeddable = request.endpoint in EMBEDDABLE_ENDPOINTS
    ancestors = current_app.config["EMBED_FRAME_ANCESTORS"] if embeddable else "'none'"
    headers.setdefault("Content-Security-Policy", _CSP.format(ancestors=ancestors))
    if not embeddable:
        headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    app.after_request(_apply)
