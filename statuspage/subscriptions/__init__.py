"""HTML pages subscribers reach from the status page and from email links."""
from flask import Blueprint

bp = Blueprint("subscriptions", __name__, url_prefix="/subscriptions")

from . import views  # noqa: E402,F401  (routes register on bp)
