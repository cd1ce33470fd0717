"""The JSON API under /api: one module of routes per resource, all on one blueprint."""
from .blueprint import bp

# Routes register on bp when their modules are imported.
from . import analytics, audit, components, incidents, openapi  # noqa: E402,F401
from . import maintenances, postmortems, templates  # noqa: E402,F401
from . import deliveries, hooks, integrations, monitors, settings, share_links  # noqa: E402,F401
from . import subscriber_io, subscribers, users  # noqa: E402,F401
from . import public  # noqa: E402,F401

__all__ = ["bp"]
