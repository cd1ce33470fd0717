"""The JSON API under /api."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from . import audit, components, incidents, openapi, public  # noqa: E402,F401  (routes register on bp)
