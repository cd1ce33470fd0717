"""The page's brand assets: logo, favicon and the accent stylesheet (cached like every public response)."""
from __future__ import annotations

from flask import render_template

from ..services import settings
from .blueprint import bp
from .cache import cached


@bp.get("/status/brand/<any(logo, favicon):name>")
def brand_image(name):
    data, content_type = settings.image(name)
    response = cached(f"brand:{name}", lambda: data, content_type)
    # An uploaded SVG is sanitised; it also may not run anything if opened on its own.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/status/brand.css")
def brand_css():
    """The accent colour as a custom property (no inline styles under the page's CSP)."""
    return cached("brand:css", lambda: render_template("public/brand.css", brand=settings.current()), "text/css")
