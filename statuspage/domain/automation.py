"""Rules for automatic statuses (pure): alert payloads to signals, monitor verdicts.

Nothing here touches the database or Flask; the services apply the results.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .statuses import COMPONENT_STATUSES, worst_component_status

AUTOMATED_PREFIXES = ("integration:", "monitor:")
MAX_ALERTS = 500
_TEXT = 500


def is_automated(actor_label: Optional[str]) -> bool:
    """Whether a status change was made by an integration or a monitor (not a person)."""
    return bool(actor_label) and actor_label.startswith(AUTOMATED_PREFIXES)


def target_status(firing_statuses) -> str:
    """The component status automatic sources ask for: the worst firing one, else operational."""
    return worst_component_status(list(firing_statuses))


@dataclass(frozen=True)
class Alert:
    """One alert from a payload, normalised across senders."""

    key: str
    group_key: str
    firing: bool
    component: Optional[str]
    status: Optional[str]  # the component status it asks for while firing
    summary: str


def _text(value, limit: int = _TEXT) -> str:
    return str(value)[:limit] if value is not None else ""


def _prometheus_style(body: dict, config: dict, problems: list) -> list[Alert]:
    """Alertmanager (v4) and Grafana unified alerting: ``alerts[]`` with labels and annotations."""
    alerts = body.get("alerts")
    if not isinstance(alerts, list):
        problems.append("The body has no 'alerts' list.")
        return []
    if len(alerts) > MAX_ALERTS:
        problems.append(f"Only the first {MAX_ALERTS} alerts were read.")
    group = _text(body.get("groupKey") or "", 255)
    label_name = config.get("component_label") or "component"
    severity_map = config.get("severity_map") or {}
    out = []
    for n, alert in enumerate(alerts[:MAX_ALERTS]):
        if not isinstance(alert, dict) or not isinstance(alert.get("labels", {}), dict):
            problems.append(f"alerts[{n}] is not an alert object.")
            continue
        labels = alert.get("labels") or {}
        annotations = alert.get("annotations") if isinstance(alert.get("annotations"), dict) else {}
        key = _text(alert.get("fingerprint") or "", 255) or "|".join(
            f"{k}={labels[k]}" for k in sorted(labels))[:255]
        if not key:
            problems.append(f"alerts[{n}] has neither a fingerprint nor labels.")
            continue
        status = alert.get("status")
        if status not in ("firing", "resolved"):
            problems.append(f"alerts[{n}] has status {_text(status, 40)!r}, not firing or resolved.")
            continue
        severity = labels.get("severity")
        mapped = severity_map.get(severity) if isinstance(severity, str) else None
        summary = _text(annotations.get("summary") or annotations.get("description")
                        or labels.get("alertname") or alert.get("title") or "Alert")
        out.append(Alert(key, group or key, status == "firing",
                         _text(labels.get(label_name), 120) or None, mapped, summary))
        if status == "firing" and mapped is None:
            problems.append(f"alerts[{n}]: severity {_text(severity, 40)!r} is not in the severity map.")
    return out


def _generic(body: dict, _config: dict, problems: list) -> list[Alert]:
    """The generic webhook: one component, one status, an optional dedup key."""
    component, status = body.get("component"), body.get("status")
    if not isinstance(component, (str, int)) or isinstance(component, bool) or component == "":
        problems.append("'component' must name a component (its name or id).")
        return []
    if status not in COMPONENT_STATUSES:
        problems.append(f"'status' must be one of: {', '.join(COMPONENT_STATUSES)}.")
        return []
    key = _text(body.get("dedup_key") or f"component:{component}", 255)
    firing = status != "operational"
    return [Alert(key, key, firing, _text(component, 120), status if firing else None,
                  _text(body.get("message") or "Status reported by webhook"))]


PARSERS = {"alertmanager": _prometheus_style, "grafana": _prometheus_style, "webhook": _generic}


def parse(kind: str, body, config: dict) -> tuple[list[Alert], list[str]]:
    """The alerts in ``body`` and the problems met reading it (never raises)."""
    problems: list[str] = []
    if not isinstance(body, dict):
        return [], ["The body is not a JSON object."]
    return PARSERS[kind](body, config, problems), problems


# Monitor verdicts: up < degraded < down. Getting worse takes ``failure_threshold``
# results in a row, getting better ``recovery_threshold``.
_VERDICT_RANK = {"unknown": -1, "up": 0, "degraded": 1, "down": 2}
VERDICT_STATUS = {"down": "major_outage", "degraded": "degraded_performance"}


@dataclass(frozen=True)
class Streaks:
    """A monitor's verdict and the results in a row behind it."""

    state: str = "unknown"
    failures: int = 0
    slow: int = 0
    successes: int = 0


def classify(ok: bool, response_ms: Optional[float], degraded_ms: Optional[int]) -> str:
    """One check's outcome: down, degraded (slow) or up."""
    if not ok:
        return "down"
    if degraded_ms is not None and response_ms is not None and response_ms > degraded_ms:
        return "degraded"
    return "up"


def next_verdict(current: Streaks, outcome: str, failure_threshold: int,
                 recovery_threshold: int) -> Streaks:
    """The monitor's verdict after one more check of ``outcome``."""
    counts = {"down": current.failures, "degraded": current.slow, "up": current.successes}
    counts = {k: (v + 1 if k == outcome else 0) for k, v in counts.items()}
    state = current.state
    if state == "unknown" and outcome == "up":
        state = "up"
    elif _VERDICT_RANK[outcome] > _VERDICT_RANK[state]:
        if counts[outcome] >= failure_threshold:
            state = outcome
    elif _VERDICT_RANK[outcome] < _VERDICT_RANK[state] and counts[outcome] >= recovery_threshold:
        state = outcome
    return Streaks(state, counts["down"], counts["degraded"], counts["up"])
