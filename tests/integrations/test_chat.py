"""Slack and Teams integrations: bodies, Markdown conversion, last result, test message."""
from __future__ import annotations

import json

from statuspage.extensions import db
from statuspage.models import Integration
from statuspage.services.channels.markup import convert
from tests.conftest import make_component, make_incident
from tests.helpers_subs import deliveries
from tests.integrations.helpers import bodies, make_due

UPDATE = "We **found** the cause: see [the log](https://example.com/log).\n\n- one\n- two"


def _integration(api, kind, url, **fields) -> dict:
    response = api.post("/api/integrations", json={"kind": kind, "name": f"#{kind}", "url": url,
                                                   **fields})
    assert response.status_code == 201, response.json
    return response.json


def _incident_with_update(api, component):
    incident = make_incident(api, components=[{"id": component["id"], "status": "major_outage"}])
    response = api.post(f"/api/incidents/{incident['id']}/updates", json={"body": UPDATE})
    assert response.status_code == 201, response.json
    return incident


def test_slack_gets_block_kit_with_a_text_fallback(api, receiver, run_worker):
    component = make_component(api, name="Checkout API")
    slack = _integration(api, "slack", receiver.url("/slack/a"))
    incident = _incident_with_update(api, component)
    run_worker()
    created, update = bodies(receiver, "/slack/a")
    link = f"http://status.test/status/incidents/{incident['id']}"
    assert created["text"].startswith("[Acme Cloud] Major impact, investigating: Checkout errors")
    assert link in created["text"]
    header, facts, text, actions = update["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text",
                                                 "text": "[Acme Cloud] Major impact, investigating: Checkout errors"}}
    fields = [f["text"] for f in facts["fields"]]
    assert fields == ["*Status*\nInvestigating", "*Severity*\nSEV2", "*Components*\nCheckout API"]
    assert text["text"]["text"] == ("We *found* the cause: see <https://example.com/log|the log>.\n"
                                   "• one\n• two")
    assert actions["elements"][0]["url"] == link
    db.session.expire_all()
    row = db.session.get(Integration, slack["id"])
    assert (row.last_delivery_status, row.last_response_code) == ("SENT", 200)
    assert {d.channel for d in deliveries(integration_id=slack["id"])} == {"slack"}


def test_teams_gets_an_adaptive_card(api, receiver, run_worker):
    component = make_component(api, name="Checkout API")
    _integration(api, "teams", receiver.url("/teams/a"))
    _incident_with_update(api, component)
    run_worker()
    _created, update = bodies(receiver, "/teams/a")
    assert update["type"] == "message"
    [attachment] = update["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    title, facts, text = card["body"]
    assert title["text"] == "[Acme Cloud] Major impact, investigating: Checkout errors"
    assert {"title": "Components", "value": "Checkout API"} in facts["facts"]
    assert text["text"] == ("We **found** the cause: see [the log](https://example.com/log).\n\n"
                            "- one\n\n- two")
    assert card["actions"][0]["type"] == "Action.OpenUrl"


def test_component_filter_and_disabled_integrations(api, receiver, run_worker):
    web, db_component = make_component(api, name="Web"), make_component(api, name="DB")
    _integration(api, "slack", receiver.url("/slack/web"), components=[web["id"]])
    _integration(api, "slack", receiver.url("/slack/off"), enabled=False)
    _incident_with_update(api, db_component)
    run_worker()
    assert receiver.requests("/slack/web") == [] and receiver.requests("/slack/off") == []
    _incident_with_update(api, web)
    run_worker()
    assert len(receiver.requests("/slack/web")) == 2


def test_failures_retry_and_show_as_the_last_result(api, receiver, run_worker):
    slack = _integration(api, "slack", receiver.url("/flaky/1"))
    make_incident(api)
    run_worker()
    db.session.expire_all()
    row = db.session.get(Integration, slack["id"])
    assert (row.last_delivery_status, row.last_response_code) == ("RETRYING", 500)
    assert make_due() == 1
    run_worker()
    db.session.expire_all()
    assert db.session.get(Integration, slack["id"]).last_delivery_status == "SENT"
    listed = api.get("/api/integrations").json["items"]
    assert listed[0]["last_delivery_status"] == "SENT" and listed[0]["last_response_code"] == 200


def test_send_a_test_message(api, receiver, run_worker):
    teams = _integration(api, "teams", receiver.url("/teams/test"))
    response = api.post(f"/api/integrations/{teams['id']}/test")
    assert response.status_code == 202 and response.json["channel"] == "teams"
    run_worker()
    [body] = bodies(receiver, "/teams/test")
    assert body["attachments"][0]["content"]["body"][0]["text"] == "Test message from Acme Cloud status"
    [row] = deliveries(integration_id=teams["id"])
    assert (row.kind, row.status, row.response_code) == ("test", "SENT", 200)
    delivered = api.get(f"/api/deliveries?channel=teams").json["items"]
    assert delivered[0]["response_code"] == 200 and delivered[0]["response_excerpt"] == '{"ok": true}'


def test_markdown_conversion_per_channel():
    source = "# Title\n\nText with _em_, `code`, ~~old~~ and <b>html</b>.\n\n1. a\n2. b\n\n> quoted"
    assert convert(source, "slack") == ("*Title*\nText with _em_, `code`, ~old~ and &lt;b&gt;html&lt;/b&gt;.\n"
                                        "1. a\n2. b\n> quoted")
    assert convert(source, "teams") == ("**Title**\n\nText with _em_, `code`, ~~old~~ and <b>html</b>.\n\n"
                                        "1. a\n\n2. b\n\n> quoted")
    assert convert("[x](javascript:alert(1))", "teams") == "[x] (javascript:alert(1))"
    assert convert("", "slack") == ""


def test_internal_news_reaches_only_integrations_that_asked(api, receiver, run_worker):
    _integration(api, "slack", receiver.url("/slack/internal"), include_internal=True)
    _integration(api, "slack", receiver.url("/slack/public-only"))
    incident = make_incident(api, title="Quiet one", visibility="internal")
    run_worker()
    [body] = bodies(receiver, "/slack/internal")
    assert body["blocks"][0]["text"]["text"].startswith("[internal] [Acme Cloud] Major impact, investigating: Quiet one")
    assert receiver.requests("/slack/public-only") == []
    assert deliveries(channel="email") == [] and deliveries(channel="webhook") == []
    public = make_incident(api, title="Loud one")
    api.post(f"/api/incidents/{public['id']}/updates", json={"body": "internal note",
                                                             "visibility": "internal"})
    run_worker()
    assert len(receiver.requests("/slack/public-only")) == 1  # the creation, not the internal note
    assert len(receiver.requests("/slack/internal")) == 3
    assert incident["id"] != public["id"]


def test_the_test_message_names_the_page_as_set_in_the_console(api, receiver, run_worker):
    assert api.patch("/api/settings", json={"page_name": "Globex"}).status_code == 200
    slack = _integration(api, "slack", receiver.url("/slack/test"))
    assert api.post(f"/api/integrations/{slack['id']}/test").status_code == 202
    run_worker()
    [body] = bodies(receiver, "/slack/test")
    assert "Test message from Globex status" in json.dumps(body)
    assert "Acme Cloud" not in json.dumps(body)
