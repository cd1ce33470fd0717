"""Uptime bars from the status history, in the page's time zone."""
from datetime import date, datetime, timedelta, timezone

import pytest

from statuspage.domain.pagetime import zone
from statuspage.extensions import db
from statuspage.models import Component, ComponentStatusChange, Incident, IncidentComponent
from statuspage.services import uptime

BERLIN = zone("Europe/Berlin")
UTC = zone("UTC")


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def component(created, status="operational", name="API"):
    c = Component(name=name, status=status, created_at=created, updated_at=created)
    db.session.add(c)
    db.session.flush()
    return c


def change(c, at, old, new, incident_id=None):
    db.session.add(ComponentStatusChange(component_id=c.id, from_status=old, to_status=new, changed_at=at,
                                         incident_id=incident_id))
    c.status = new
    db.session.flush()


def days_by_date(result):
    return {d.date: d for d in result.days}


def test_before_creation_is_no_data_and_not_counted():
    now = utc(2026, 5, 10, 12)
    c = component(utc(2026, 5, 9, 0))
    result = uptime.for_components([c], UTC, now)[c.id]
    assert len(result.days) == 90
    assert result.days[0].level == "nodata" and result.days[0].uptime is None
    assert days_by_date(result)[date(2026, 5, 9)].uptime == 100.0
    assert result.percent(90) == 100.0


def test_weighted_downtime_major_full_partial_thirty_percent():
    now = utc(2026, 5, 11, 0)
    c = component(utc(2026, 1, 1))
    change(c, utc(2026, 5, 10, 0), "operational", "major_outage")
    change(c, utc(2026, 5, 10, 6), "major_outage", "partial_outage")
    change(c, utc(2026, 5, 10, 16), "partial_outage", "degraded_performance")
    change(c, utc(2026, 5, 10, 20), "degraded_performance", "operational")
    day = days_by_date(uptime.for_components([c], UTC, now)[c.id])[date(2026, 5, 10)]
    # 6 h major + 10 h partial * 0.3 = 9 h of 24 down
    assert day.uptime == round(100 * (1 - 9 / 24), 2)
    assert day.level == "major_outage"


def test_outage_spanning_midnight_counts_on_both_days_and_lists_the_incident():
    now = utc(2026, 7, 2, 12)
    c = component(utc(2026, 1, 1))
    incident = Incident(title="Night outage", severity="SEV1", status="resolved", visibility="public",
                        created_at=utc(2026, 6, 30, 21), updated_at=utc(2026, 6, 30, 23),
                        resolved_at=utc(2026, 6, 30, 23))
    db.session.add(incident)
    db.session.flush()
    db.session.add(IncidentComponent(incident_id=incident.id, component_id=c.id, status="major_outage"))
    # 23:00-01:00 Berlin (CEST, UTC+2): one hour on each local day
    change(c, utc(2026, 6, 30, 21), "operational", "major_outage", incident.id)
    change(c, utc(2026, 6, 30, 23), "major_outage", "operational", incident.id)
    by_day = days_by_date(uptime.for_components([c], BERLIN, now)[c.id])
    for day in (date(2026, 6, 30), date(2026, 7, 1)):
        assert by_day[day].uptime == round(100 * (1 - 1 / 24), 2)
        assert by_day[day].level == "major_outage"
        assert by_day[day].incidents == [{"id": incident.id, "title": "Night outage", "severity": "SEV1"}]
    assert by_day[date(2026, 6, 29)].incidents == []


def test_internal_incidents_never_reach_the_tooltip():
    now = utc(2026, 7, 2, 12)
    c = component(utc(2026, 1, 1))
    incident = Incident(title="Secret", severity="SEV1", status="investigating", visibility="internal",
                        created_at=utc(2026, 7, 2, 1), updated_at=utc(2026, 7, 2, 1))
    db.session.add(incident)
    db.session.flush()
    db.session.add(IncidentComponent(incident_id=incident.id, component_id=c.id, status="major_outage"))
    db.session.flush()
    days = uptime.for_components([c], UTC, now)[c.id].days
    assert all(d.incidents == [] for d in days)


def test_dst_day_is_measured_over_23_hours():
    now = utc(2026, 3, 30, 12)
    c = component(utc(2026, 1, 1))
    change(c, utc(2026, 3, 29, 10), "operational", "major_outage")
    change(c, utc(2026, 3, 29, 11), "major_outage", "operational")
    day = days_by_date(uptime.for_components([c], BERLIN, now)[c.id])[date(2026, 3, 29)]
    assert day.observed == 23 * 3600
    assert day.uptime == round(100 * (1 - 1 / 23), 2)


def test_status_before_the_window_comes_from_the_first_change():
    now = utc(2026, 5, 11, 0)
    c = component(utc(2025, 1, 1), status="operational")
    # In outage since before the 90-day window; recovered 5 days ago.
    change(c, now - timedelta(days=5), "major_outage", "operational")
    result = uptime.for_components([c], UTC, now)[c.id]
    assert result.days[0].level == "major_outage"
    # ``now`` is midnight: today has not started, so 89 and 29 whole days were observed.
    assert result.percent(90) == pytest.approx(100 * 5 / 89, abs=0.01)
    assert result.percent(30) == pytest.approx(100 * 5 / 29, abs=0.01)


def test_today_counts_only_up_to_now():
    now = utc(2026, 5, 10, 6)
    c = component(utc(2026, 1, 1), status="partial_outage")
    today = uptime.for_components([c], UTC, now)[c.id].days[-1]
    assert today.observed == 6 * 3600
    assert today.uptime == 70.0
    assert today.as_dict()["date"] == "2026-05-10"


def test_no_components():
    assert uptime.for_components([], UTC, utc(2026, 1, 1)) == {}
