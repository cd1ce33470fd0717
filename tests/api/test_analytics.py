"""Incident analytics against a hand-computed fixture (reopened incident included)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from statuspage.models import clock_at
from tests.helpers import assert_problem

NOW = datetime.fromisoformat("2026-03-01T12:00:00+00:00")
D, H, M = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)


def at(moment, fn, *args, **kwargs):
    with clock_at(moment):
        response = fn(*args, **kwargs)
    assert response.status_code in (200, 201), response.json
    return response.json


def incident(api, created, severity, steps=(), **fields):
    """Create at ``created``; ``steps`` = [(offset from created, target status)]."""
    body = {"title": f"{severity} thing", "severity": severity, **fields}
    iid = at(created, api.post, "/api/incidents", json=body)["id"]
    for offset, to in steps:
        at(created + offset, api.post, f"/api/incidents/{iid}/transition", json={"to": to})
    return iid


@pytest.fixture
def fixture(api):
    # A: SEV1, identified after 30 min, resolved after 2 h.        TTR 7,200   TTI 1,800
    incident(api, NOW - 10 * D, "SEV1", [(30 * M, "identified"), (2 * H, "resolved")])
    # B: SEV2, identified after 10 min, resolved after 1 h, reopened a day after
    #    creation, identified again, finally resolved at +1 d 1 h.   TTR 90,000  TTI 600
    incident(api, NOW - 5 * D, "SEV2", [(10 * M, "identified"), (H, "resolved"),
                                         (D, "investigating"), (D + 5 * M, "identified"),
                                         (D + H, "resolved")])
    # C: SEV2, never identified (straight to monitoring), resolved after 40 min. TTR 2,400
    incident(api, NOW - 2 * D, "SEV2", [(20 * M, "monitoring"), (40 * M, "resolved")])
    # D: SEV3 created 40 days ago (outside a 30-day window), resolved 20 days ago. TTR 1,728,000
    incident(api, NOW - 40 * D, "SEV3", [(H, "identified"), (20 * D, "resolved")])
    # E: SEV1 active, identified after 30 min.                     TTI 1,800
    incident(api, NOW - H, "SEV1", [(30 * M, "identified")])
    # F: SEV4 active and internal.
    incident(api, NOW - 3 * D, "SEV4", visibility="internal")
    # G: SEV3 long ago: outside every window used here.
    incident(api, NOW - 100 * D, "SEV3", [(D, "resolved")])


def test_thirty_day_window(api, fixture):
    got = at(NOW, api.get, "/api/incidents/analytics?window_days=30")
    assert got["mttr_seconds"] == (7200 + 90000 + 2400 + 1728000) / 4 == 456900.0
    assert got["mtti_seconds"] == (1800 + 600 + 1800) / 3 == 1400.0
    assert got["active"] == 2
    assert got["resolved_last_7_days"] == 2  # B and C
    assert (got["created_in_window"], got["resolved_in_window"], got["reopened_in_window"]) == (5, 4, 1)
    assert got["by_severity"] == {
        "SEV1": {"created": 2, "resolved": 1, "active": 1, "mttr_seconds": 7200.0},
        "SEV2": {"created": 2, "resolved": 2, "active": 0, "mttr_seconds": 46200.0},
        "SEV3": {"created": 0, "resolved": 1, "active": 0, "mttr_seconds": 1728000.0},
        "SEV4": {"created": 1, "resolved": 0, "active": 1, "mttr_seconds": None},
    }
    assert got["window_days"] == 30 and got["generated_at"].startswith("2026-03-01T12:00:00")


def test_seven_day_window_and_default(api, fixture):
    got = at(NOW, api.get, "/api/incidents/analytics?window_days=7")
    assert got["mttr_seconds"] == (90000 + 2400) / 2
    assert got["mtti_seconds"] == (600 + 1800) / 2
    assert got["created_in_window"] == 4
    assert at(NOW, api.get, "/api/incidents/analytics")["window_days"] == 30


def test_empty_database(api):
    got = api.get("/api/incidents/analytics").json
    assert got["mttr_seconds"] is None and got["mtti_seconds"] is None and got["active"] == 0


@pytest.mark.parametrize("query", ["window_days=0", "window_days=abc", "window_days=3651",
                                   "window_days=-3"])
def test_bad_window(api, query):
    assert "window_days" in assert_problem(api.get(f"/api/incidents/analytics?{query}"), 422)["errors"]


def test_route_not_captured_by_incident_id_and_roles(api_as, anon):
    assert api_as("viewer").get("/api/incidents/analytics").status_code == 200
    assert_problem(anon.get("/api/incidents/analytics"), 401)
