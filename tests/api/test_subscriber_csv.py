"""Subscriber export and import: a round trip, per-line reports, bad files refused whole."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models import AuditEvent, Subscriber, SubscriberImport
from tests.conftest import make_component
from tests.helpers import assert_problem
from tests.helpers_subs import deliveries, make_subscriber
from tests.receiver import allow_private  # noqa: F401  (fixture)

HEADER = "email,endpoint,mode,components,state,created_at,confirmed_at\n"


pytestmark = pytest.mark.usefixtures("allow_private")


def _export(api) -> list[dict]:
    response = api.get("/api/subscribers/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _import(api, run_worker, text: str, **options) -> dict:
    response = api.post("/api/subscribers/import", json={"csv": text, **options})
    assert response.status_code == 202, response.json
    run_worker()
    report = api.get(f"/api/subscribers/imports/{response.json['id']}").json
    assert report["status"] == "done", report
    return report


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_round_trip(api, run_worker):
    web = make_component(api, name="Web")
    make_subscriber("a@example.com")
    sub = make_subscriber("b@example.com", "components", components=[web["id"]])
    sub.mode = "daily"
    db.session.add(Subscriber(channel="webhook", email="owner@example.com", scope="all",
                              endpoint="http://127.0.0.1:9/hook"))
    db.session.commit()
    exported = _export(api)
    assert [(r["email"], r["endpoint"], r["mode"], r["components"], r["state"]) for r in exported] == [
        ("a@example.com", "", "immediate", "", "confirmed"),
        ("b@example.com", "", "daily", str(web["id"]), "confirmed"),
        ("owner@example.com", "http://127.0.0.1:9/hook", "immediate", "", "pending")]
    text = api.get("/api/subscribers/export.csv").get_data(as_text=True)
    db.session.execute(db.delete(Subscriber))
    db.session.commit()

    report = _import(api, run_worker, text, confirmed=True, consent_note="Moved from our old page")
    assert report["counts"] == {"created": 3, "updated": 0, "skipped": 0, "invalid": 0}
    again = _export(api)
    assert [(r["email"], r["endpoint"], r["mode"], r["components"], r["state"]) for r in again] == [
        (r["email"], r["endpoint"], r["mode"], r["components"], r["state"]) for r in exported]
    # Consented addresses get no confirmation email; the webhook's owner confirms it.
    assert [d.to_address for d in deliveries(kind="confirmation")] == ["owner@example.com"]
    audit = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "subscribers.import_requested")).one()
    assert audit.after["consent_note"] == "Moved from our old page" and audit.after["confirmed"]
    assert _import(api, run_worker, text)["counts"]["skipped"] == 3


def test_unconfirmed_imports_are_pending_and_get_a_confirmation(api, run_worker):
    report = _import(api, run_worker, HEADER + "new@example.com,,immediate,,,,\n")
    assert report["counts"]["created"] == 1
    db.session.expire_all()
    assert db.session.scalars(select(Subscriber)).one().confirmed_at is None
    assert [d.to_address for d in deliveries(kind="confirmation")] == ["new@example.com"]


def test_an_imported_address_is_asked_in_the_pages_language_under_its_current_name(api, run_worker):
    assert api.patch("/api/settings", json={"page_name": "Globex", "default_locale": "fr"}).status_code == 200
    _import(api, run_worker, HEADER + "new@example.com,,immediate,,,,\n")
    [confirmation] = deliveries(kind="confirmation")
    assert confirmation.subject == "Confirmez votre abonnement aux mises à jour de statut de Globex"
    db.session.expire_all()
    assert db.session.scalars(select(Subscriber)).one().locale == "fr"  # its later emails too


def test_invalid_lines_are_reported_with_their_numbers(api, run_worker):
    make_subscriber("known@example.com")
    text = (HEADER + "ok@example.com,,daily,,,,\n" + "not-an-address,,,,,,\n"
            + "c@example.com,,,999,,,\n" + "ok@example.com,,,,,,\n"
            + "d@example.com,ftp://x/y,,,,,\n" + "e@example.com,,weekly,,,,\n"
            + "known@example.com,,daily,,,,\n")
    report = _import(api, run_worker, text)
    assert report["counts"] == {"created": 1, "updated": 1, "skipped": 0, "invalid": 5}
    assert [(e["line"], sorted(e["errors"])) for e in report["errors"]] == [
        (3, ["email"]), (4, ["components"]), (5, ["email"]), (6, ["endpoint"]), (7, ["mode"])]


@pytest.mark.parametrize("text, key", [
    ('email,endpoint\n"unclosed@example.com,x\n', "line"),
    ("address,mode\nx@example.com,daily\n", "line 1"),
    ("email,mode\nx@example.com,daily,extra\n", "line 2"),
])
def test_malformed_csv_is_refused_whole(api, text, key):
    problem = assert_problem(api.post("/api/subscribers/import", json={"csv": text}), 422)
    assert any(k.startswith(key) for k in problem["errors"]), problem
    assert _count(SubscriberImport) == 0 and _count(Subscriber) == 0


def test_oversized_consentless_and_non_admin_uploads_are_refused(api, api_as, client):
    big = HEADER + ("x@example.com,,,,,,\n" * 60_000)
    assert_problem(api.post("/api/subscribers/import", json={"csv": big}), 413)
    problem = assert_problem(api.post("/api/subscribers/import", json={
        "csv": HEADER + "x@example.com,,,,,,\n", "confirmed": True}), 422)
    assert "consent_note" in problem["errors"]
    assert_problem(api_as("responder").post("/api/subscribers/import", json={"csv": HEADER}), 403)
    assert_problem(api_as("responder").get("/api/subscribers/export.csv"), 403)
    assert_problem(api.post("/api/subscribers/import", data="x", content_type="text/plain"), 415)
    assert _count(SubscriberImport) == 0


def test_multipart_upload(api, run_worker):
    data = {"file": (io.BytesIO((HEADER + "form@example.com,,,,,,\n").encode()), "s.csv"),
            "confirmed": "true", "consent_note": "Signed up at the booth"}
    response = api.post("/api/subscribers/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 202, response.json
    run_worker()
    db.session.expire_all()
    assert db.session.scalars(select(Subscriber)).one().confirmed_at is not None
