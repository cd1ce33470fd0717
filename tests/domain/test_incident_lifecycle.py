"""The incident lifecycle table, checked over every from→to pair."""
import itertools

import pytest

from statuspage.domain.incident_lifecycle import allowed_next, can_transition, is_reopen
from statuspage.domain.statuses import INCIDENT_STATUSES, page_indicator, worst_component_status

ALLOWED = {
    ("investigating", "identified"), ("investigating", "monitoring"), ("investigating", "resolved"),
    ("identified", "monitoring"), ("identified", "resolved"),
    ("monitoring", "resolved"),
    ("resolved", "investigating"),
}


@pytest.mark.parametrize("current,target", list(itertools.product(INCIDENT_STATUSES, repeat=2)))
def test_transition_table(current, target):
    assert can_transition(current, target) == ((current, target) in ALLOWED)
    assert (target in allowed_next(current)) == ((current, target) in ALLOWED)


def test_only_resolved_to_investigating_is_a_reopen():
    assert is_reopen("resolved", "investigating")
    assert not is_reopen("monitoring", "resolved")


def test_worst_component_status_and_indicator():
    assert worst_component_status([]) == "operational"
    assert worst_component_status(["operational", "major_outage", "degraded_performance"]) == "major_outage"
    assert page_indicator(["operational"]) == ("none", "All Systems Operational")
    assert page_indicator(["partial_outage", "degraded_performance"])[0] == "major"
    assert page_indicator(["under_maintenance", "operational"])[0] == "maintenance"
