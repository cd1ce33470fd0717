"""Status vocabularies and the rollups derived from them (pure, no Flask)."""
from __future__ import annotations

COMPONENT_STATUSES = (
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
)
INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
VISIBILITIES = ("public", "internal")
MAINTENANCE_STATUSES = ("scheduled", "in_progress", "verifying", "completed")
ACTION_ITEM_PRIORITIES = ("low", "medium", "high")
ACTION_ITEM_STATUSES = ("open", "in_progress", "done")
DELIVERY_STATUSES = ("PENDING", "SENDING", "SENT", "FAILED")

# Statuspage's incident "impact" per severity.
SEVERITY_IMPACT = {"SEV1": "critical", "SEV2": "major", "SEV3": "minor", "SEV4": "none"}

# Worst first; under_maintenance ranks below outages but above degraded.
_COMPONENT_RANK = {
    "operational": 0,
    "under_maintenance": 1,
    "degraded_performance": 2,
    "partial_outage": 3,
    "major_outage": 4,
}

_INDICATOR = {
    "operational": ("none", "All Systems Operational"),
    "under_maintenance": ("maintenance", "Service Under Maintenance"),
    "degraded_performance": ("minor", "Degraded Performance"),
    "partial_outage": ("major", "Partial System Outage"),
    "major_outage": ("critical", "Major System Outage"),
}


def sql_in(values: tuple[str, ...]) -> str:
    """Render a tuple as an SQL ``IN`` list for CHECK constraints."""
    return "(" + ",".join(f"'{v}'" for v in values) + ")"


def worst_component_status(statuses) -> str:
    """The most severe of the given component statuses (operational if none)."""
    return max(statuses, key=_COMPONENT_RANK.__getitem__, default="operational")


def page_indicator(statuses) -> tuple[str, str]:
    """Statuspage's ``(indicator, description)`` for a set of component statuses."""
    return _INDICATOR[worst_component_status(statuses)]
