"""The status vocabulary, and the copy the front end reads."""
import json
from pathlib import Path

from statuspage.domain.statuses import (STATUS_LABEL, component_indicator, label, page_indicator,
                                        vocabulary)

GENERATED = Path(__file__).resolve().parents[2] / "statuspage/static/js/lib/vocabulary.json"


def test_the_front_end_vocabulary_is_generated_from_this_one():
    assert json.loads(GENERATED.read_text()) == vocabulary(), (
        "stale: python -m statuspage.domain.statuses > statuspage/static/js/lib/vocabulary.json")


def test_labels_and_indicators():
    assert label("partial_outage") == "Partial outage" == STATUS_LABEL["partial_outage"]
    assert label("in_progress") == "In progress"
    assert label("brand_new") == "Brand new" and label(None) == ""
    assert component_indicator("degraded_performance") == "minor"
    assert page_indicator(["operational", "under_maintenance"]) == ("maintenance", "Service Under Maintenance")
    for status in vocabulary()["indicators"]:
        assert status in STATUS_LABEL
