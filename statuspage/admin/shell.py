"""What the app shell (sidebar, top bar, create modal, live stream) needs on every page."""
from __future__ import annotations

import redis
from flask import current_app, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ..domain.statuses import COMPONENT_STATUSES, SEVERITIES, label
from ..services import components, templates
from .helpers import can
from .i18n import C_

# The sidebar: (endpoint, text, the least role that sees it); the template translates the text.
NAV = (
    ("admin.incidents", C_("Incidents"), "viewer"),
    ("admin.components", C_("Components"), "viewer"),
    ("admin.maintenance", C_("Maintenance"), "viewer"),
    ("admin.templates", C_("Templates"), "viewer"),
    ("admin.subscribers", C_("Subscribers & deliveries"), "admin"),
    ("admin.integrations", C_("Integrations"), "admin"),
    ("admin.alerts", C_("Alert integrations"), "admin"),
    ("admin.monitors", C_("Monitors"), "admin"),
    ("admin.audit", C_("Audit log"), "admin"),
    ("admin.users", C_("Users & tokens"), "admin"),
    ("admin.settings", C_("Settings"), "admin"),
)


def _stream_tip() -> str | None:
    # Where live updates resume from: events after this render are replayed.
    try:
        return current_app.extensions["stream_hub"].tip()
    except redis.RedisError:
        return None


def initials(name: str) -> str:
    words = [w for w in (name or "").replace("(", " ").split() if w[:1].isalnum()]
    return ("".join(w[0] for w in words[:2]) or "?").upper()


def shell_context() -> dict:
    if not current_user.is_authenticated:
        return {"csrf_token_value": generate_csrf()}
    writer = can("responder")
    incident_templates = templates.list_all("incident") if writer else []
    return {
        "nav": [(endpoint, text) for endpoint, text, role in NAV if can(role)],
        "active_endpoint": request.endpoint,
        "can_write": writer,
        "is_admin": can("admin"),
        "csrf_token_value": generate_csrf(),
        "stream_tip": _stream_tip(),
        "all_components": components.list_all() if writer else [],
        "incident_templates": incident_templates,
        "template_data": [{"id": t.id, "title": t.title, "body": t.body, "severity": t.severity,
                           "tags": t.tags, "components": t.components} for t in incident_templates],
        "severities": SEVERITIES,
        "component_statuses": COMPONENT_STATUSES,
    }
