"""The JSON API under /api."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

# Routes register on bp when their modules are imported.
from . import analytics, audit, components, incidents, openapi  # noqa: E402,F401
from . import maintenances, postmortems, templates  # noqa: E402,F401
from . import deliveries, subscribers, users  # noqa: E402,F401
from . import public  # noqa: E402,F401
