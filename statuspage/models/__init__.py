"""All models, imported here so metadata is complete for Alembic."""
from .audit import AuditEvent
from .automation import AlertGroupIncident, AlertSignal, IngestRecord, Monitor, MonitorResult
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
from .integrations import Integration
from .maintenance import Maintenance, MaintenanceComponent
from .outbox import OutboxEvent
from .postmortems import ActionItem, Postmortem
from .settings import PageSettings
from .share_links import ShareLink
from .subscribers import Delivery, EmailDelivery, Subscriber, SubscriberComponent, SubscriberImport
from .templates import IncidentTemplate
from .users import ROLES, ApiToken, User, UserSession

__all__ = [
    "ActionItem", "AlertGroupIncident", "AlertSignal", "ApiToken", "AuditEvent", "Base",
    "Component", "ComponentGroup", "ComponentStatusChange", "Delivery", "EmailDelivery",
    "IdempotencyKey", "Incident", "IngestRecord", "Monitor", "MonitorResult",
    "IncidentComponent", "IncidentTag", "IncidentTemplate", "IncidentUpdate", "Integration",
    "IncidentUpdateComponent", "Maintenance", "MaintenanceComponent", "OutboxEvent",
    "PageSettings", "Postmortem", "ROLES", "ShareLink", "Subscriber", "SubscriberComponent",
    "SubscriberImport", "User",
    "UserSession", "clock_at", "utcnow",
]
