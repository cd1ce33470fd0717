"""Console: integrations with their last result and a test message; subscribers by channel;
deliveries with channel and the receiver's answer; CSV import and export."""
from __future__ import annotations

import io

import pytest

from statuspage.extensions import db
from statuspage.models import Integration, Subscriber, SubscriberImport
from tests.conftest import make_incident
from tests.helpers_subs import make_subscriber
from tests.receiver import allow_private, receiver  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("allow_private")


def test_integrations_screen_adds_tests_and_shows_the_last_result(console, receiver, run_worker):
    response = console.post("/admin/integrations", {"kind": "slack", "name": "#ops",
                                                    "url": receiver.url("/console/slack")})
    assert response.status_code == 303
    integration_id = db.session.scalars(db.select(Integration.id)).one()
    html = console.get("/admin/integrations").text
    assert "#ops" in html and "none yet" in html and "/console/slack" not in html
    assert console.post(f"/admin/integrations/{integration_id}/test").status_code == 303
    run_worker()
    assert len(receiver.requests("/console/slack")) == 1
    html = console.get("/admin/integrations").text
    assert "HTTP 200" in html and 'data-delivery="SENT"' in html
    assert console.post(f"/admin/integrations/{integration_id}/toggle").status_code == 303
    db.session.expire_all()
    assert db.session.get(Integration, integration_id).enabled is False
    assert console.post(f"/admin/integrations/{integration_id}/delete").status_code == 303
    assert db.session.scalars(db.select(Integration)).all() == []


def test_bad_integration_form_creates_nothing(console):
    response = console.post("/admin/integrations", {"kind": "slack", "name": "x", "url": "ftp://x/y"})
    assert response.status_code == 422
    assert db.session.scalars(db.select(Integration)).all() == []


def test_subscribers_by_channel_and_deliveries_with_the_receivers_answer(console, api, receiver,
                                                                          run_worker):
    make_subscriber("mail@example.com")
    api.post("/api/subscribers", json={"endpoint": receiver.url("/console/hook"),
                                       "email": "owner@example.com"})
    make_incident(api)
    run_worker()
    webhooks = console.get("/admin/subscribers?channel=webhook").text.split('id="subscriber-list"')[1]
    assert "owner@example.com" in webhooks and "mail@example.com" not in webhooks
    emails = console.get("/admin/subscribers?channel=email").text.split('id="subscriber-list"')[1]
    assert "mail@example.com" in emails and "/console/hook" not in emails
    page = console.get("/admin/subscribers").text
    assert '<td data-testid="delivery-channel">webhook</td>' in page
    assert "HTTP 200" in page and "{&#34;ok&#34;: true}" in page


def test_import_and_export_from_the_console(console, run_worker):
    csv_text = "email,mode\nbooth@example.com,daily\n"
    response = console.post("/admin/subscribers/import", {
        "file": (io.BytesIO(csv_text.encode()), "s.csv"), "confirmed": "on",
        "consent_note": "Signed up at the booth"}, content_type="multipart/form-data")
    assert response.status_code == 303
    run_worker()
    job_id = db.session.scalars(db.select(SubscriberImport.id)).one()
    html = console.get("/admin/subscribers").text
    assert f'data-testid="import-{job_id}"' in html and "done" in html
    sub = db.session.scalars(db.select(Subscriber)).one()
    assert sub.mode == "daily" and sub.confirmed_at is not None
    exported = console.get("/api/subscribers/export.csv")
    assert exported.status_code == 200 and "booth@example.com,,daily" in exported.text
