"""Pure rules: payload parsing, worst status, monitor verdicts (no app needed)."""
from __future__ import annotations

import pytest

from statuspage.domain.automation import (
    Streaks,
    classify,
    is_automated,
    next_verdict,
    parse,
    target_status,
)

CONFIG = {"component_label": "service", "severity_map": {"critical": "major_outage"}}


def test_target_status_is_the_worst_firing_or_operational():
    assert target_status([]) == "operational"
    assert target_status(["degraded_performance", "major_outage", "partial_outage"]) == "major_outage"


def test_automated_actors():
    assert is_automated("integration:3") and is_automated("monitor:1")
    assert not is_automated("ops@example.com") and not is_automated(None)


@pytest.mark.parametrize("body, problem", [
    ([], "The body is not a JSON object."),
    ({"alerts": "x"}, "The body has no 'alerts' list."),
    ({"alerts": [1]}, "alerts[0] is not an alert object."),
    ({"alerts": [{"status": "pending", "fingerprint": "a"}]}, "alerts[0] has status 'pending', not firing or resolved."),
    ({"alerts": [{"status": "firing", "labels": {}}]}, "alerts[0] has neither a fingerprint nor labels."),
])
def test_malformed_alertmanager_bodies_are_problems_not_errors(body, problem):
    alerts, problems = parse("alertmanager", body, CONFIG)
    assert alerts == [] and problems == [problem]


def test_alert_fields_and_fallback_key():
    body = {"groupKey": "g", "alerts": [{"status": "firing", "labels": {
        "service": "API", "severity": "critical", "alertname": "Down"}, "annotations": {}}]}
    [alert], problems = parse("grafana", body, CONFIG)
    assert problems == [] and alert.component == "API" and alert.status == "major_outage"
    assert alert.key == "alertname=Down|service=API|severity=critical" and alert.group_key == "g"
    assert alert.summary == "Down" and alert.firing


@pytest.mark.parametrize("body, problem", [
    ({"status": "major_outage"}, "'component' must name a component (its name or id)."),
    ({"component": "API", "status": "broken"}, "'status' must be one of"),
])
def test_generic_webhook_problems(body, problem):
    alerts, problems = parse("webhook", body, {})
    assert alerts == [] and problems[0].startswith(problem)


def test_classify():
    assert classify(False, 10, None) == "down"
    assert classify(True, 500, 300) == "degraded"
    assert classify(True, 500, None) == classify(True, 100, 300) == "up"


def _run(outcomes, state="unknown", fail=3, recover=2):
    streaks = Streaks(state)
    seen = []
    for outcome in outcomes:
        streaks = next_verdict(streaks, outcome, fail, recover)
        seen.append(streaks.state)
    return seen


def test_verdicts_need_thresholds_in_both_directions():
    assert _run(["up", "down", "down", "down", "up", "up"]) == ["up", "up", "up", "down", "down", "up"]
    assert _run(["down", "up", "down", "down"], state="up") == ["up", "up", "up", "up"]  # a success resets
    assert _run(["degraded"] * 3 + ["down"] * 3, state="up") == [
        "up", "up", "degraded", "degraded", "degraded", "down"]
    assert _run(["degraded", "degraded", "up", "up"], state="down") == ["down", "degraded", "degraded", "up"]
    assert _run(["down"] * 2, state="unknown") == ["unknown", "unknown"]
