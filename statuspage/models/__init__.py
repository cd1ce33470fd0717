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
from .subscribers import EmailDelivery, Subscriber, SubscriberComponent
from .templates import IncidentTemplate
from .users import ROLES, ApiToken, User

__all__ = [
    "ActionItem", "AlertGroupIncident", "AlertSignal", "IngestRecord", "Monitor", "MonitorResult", "ApiToken", "AuditEvent", "Base", "Component", "ComponentGroup",
    "ComponentStatusChange", "EmailDelivery", "IdempotencyKey", "Incident",
    "IncidentComponent", "IncidentTag", "IncidentTemplate", "IncidentUpdate", "Integration",
    "IncidentUpdateComponent", "Maintenance", "MaintenanceComponent", "OutboxEvent",
    "Postmortem", "ROLES", "Subscriber", "SubscriberComponent", "User", "clock_at", "utcnow",
]
