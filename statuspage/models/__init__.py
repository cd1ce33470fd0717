"""All models, imported here so metadata is complete for Alembic."""
from .audit import AuditEvent
from .base import Base, clock_at, utcnow
from .components import Component, ComponentGroup, ComponentStatusChange
from .idempotency import IdempotencyKey
from .incidents import (
    Incident,
    IncidentComponent,
    IncidentTag,
    IncidentUpdate,
    IncidentUpdateComponent,
)
from .maintenance import Maintenance, MaintenanceComponent
from .outbox import OutboxEvent
from .postmortems import ActionItem, Postmortem
from .settings import PageSettings
from .share_links import ShareLink
from .subscribers import EmailDelivery, Subscriber, SubscriberComponent
from .templates import IncidentTemplate
from .users import ROLES, ApiToken, User, UserSession

__all__ = [
    "ActionItem", "ApiToken", "AuditEvent", "Base", "Component", "ComponentGroup",
    "ComponentStatusChange", "EmailDelivery", "IdempotencyKey", "Incident",
    "IncidentComponent", "IncidentTag", "IncidentTemplate", "IncidentUpdate",
    "IncidentUpdateComponent", "Maintenance", "MaintenanceComponent", "OutboxEvent",
    "PageSettings", "Postmortem", "ROLES", "ShareLink", "Subscriber", "SubscriberComponent", "User",
    "UserSession", "clock_at", "utcnow",
]
