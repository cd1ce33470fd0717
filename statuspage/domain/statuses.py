"""The one vocabulary of statuses: values, labels, indicators, colours and rollups (pure, no Flask).

The front end reads the same tables from ``static/js/lib/vocabulary.json``,
generated from :func:`vocabulary` by ``python -m statuspage.domain.statuses``
(a test fails when the file is stale).
"""
from __future__ import annotations

from .deliveries import DeliveryState
from .locales import N_

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
DELIVERY_STATUSES = tuple(state.value for state in DeliveryState)

# Statuspage's incident "impact" per severity.
SEVERITY_IMPACT = {"SEV1": N_("critical"), "SEV2": N_("major"), "SEV3": N_("minor"), "SEV4": N_("none")}

# What customers read instead of the internal severity labels.
IMPACT_LABEL = {"critical": N_("Critical impact"), "major": N_("Major impact"), "minor": N_("Minor impact"),
                "none": N_("Low impact")}

# How the banner's sentence names a component status ("API is experiencing a major outage").
BANNER_PHRASE = {"degraded_performance": N_("degraded performance"), "partial_outage": N_("a partial outage"),
                 "major_outage": N_("a major outage"), "under_maintenance": N_("scheduled maintenance")}

# Worst first; under_maintenance ranks below outages but above degraded.
_COMPONENT_RANK = {
    "operational": 0,
    "under_maintenance": 1,
    "degraded_performance": 2,
    "partial_outage": 3,
    "major_outage": 4,
}

# Statuspage's page indicator and description for the worst component status.
_INDICATOR = {
    "operational": ("none", N_("All Systems Operational")),
    "under_maintenance": ("maintenance", N_("Service Under Maintenance")),
    "degraded_performance": ("minor", N_("Degraded Performance")),
    "partial_outage": ("major", N_("Partial System Outage")),
    "major_outage": ("critical", N_("Major System Outage")),
}

# The calm palette per indicator: green, blue, amber, orange, red.
INDICATOR_COLOUR = {"none": "#1a7f37", "maintenance": "#0b62a4", "minor": "#9a6700",
                    "major": "#bc4c00", "critical": "#c62828"}

# What readers see for a status value ("nodata": a day before a component existed).
STATUS_LABEL = {
    "operational": N_("Operational"), "degraded_performance": N_("Degraded performance"),
    "partial_outage": N_("Partial outage"), "major_outage": N_("Major outage"),
    "under_maintenance": N_("Under maintenance"), "nodata": N_("No data"),
    "investigating": N_("Investigating"), "identified": N_("Identified"), "monitoring": N_("Monitoring"),
    "resolved": N_("Resolved"), "scheduled": N_("Scheduled"), "in_progress": N_("In progress"),
    "verifying": N_("Verifying"), "completed": N_("Completed"),
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


def component_indicator(status: str) -> str:
    """The indicator of a single component's status (``partial_outage`` -> ``major``)."""
    return _INDICATOR[status][0]


def label(status: str | None) -> str:
    """The words for a status value; unknown values are spelled out (``a_b`` -> ``A b``)."""
    return STATUS_LABEL.get(status or "", (status or "").replace("_", " ").capitalize())


def vocabulary() -> dict:
    """The tables the front end shares, as written to ``static/js/lib/vocabulary.json``."""
    return {"component_rank": dict(_COMPONENT_RANK),
            "indicators": {status: list(pair) for status, pair in _INDICATOR.items()},
            "status_labels": dict(STATUS_LABEL),
            "impact_labels": dict(IMPACT_LABEL),
            "severity_impact": dict(SEVERITY_IMPACT),
            "banner_phrases": dict(BANNER_PHRASE)}


def indicator_descriptions() -> dict[str, str]:
    """The page description for each worst component status (``major_outage`` -> ``Major System Outage``)."""
    return {status: description for status, (_indicator, description) in _INDICATOR.items()}


def impact_label(severity: str) -> str:
    """The customer-facing words for an internal severity (``SEV1`` -> ``Critical impact``)."""
    return IMPACT_LABEL[SEVERITY_IMPACT[severity]]


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def banner_sentence(components: list[dict], incidents: list[dict], maintenance_titles: list[str]) -> dict:
    """The banner's one sentence in parts: which components are worst hit, the incident
    to read about it and any maintenance in progress.

    ``components`` carry ``id``, ``name`` and ``status``; ``incidents`` (newest first)
    carry ``id``, ``title`` and ``components`` (ids and names). The page's script builds
    the same parts from the same vocabulary.
    """
    worst = worst_component_status(c["status"] for c in components)
    hit = [c for c in components if c["status"] == worst and worst != "operational"]
    lead = ""
    if hit:
        verb = "is" if len(hit) == 1 else "are"
        lead = f"{_names([c['name'] for c in hit])} {verb} experiencing {BANNER_PHRASE[worst]}"
    elif incidents:
        lead = "We are looking into an issue"
    hit_ids = {c["id"] for c in hit}
    incident = next((i for i in incidents if hit_ids & {c["id"] for c in i.get("components", [])}),
                    incidents[0] if incidents else None)
    return {"lead": lead, "names": [c["name"] for c in hit], "worst": worst if hit else None,
            "incident": incident and {"id": incident["id"], "title": incident["title"]},
            "maintenance": list(maintenance_titles)}


if __name__ == "__main__":
    import json
    import sys

    json.dump(vocabulary(), sys.stdout, indent=2)
    sys.stdout.write("\n")
