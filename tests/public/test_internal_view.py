"""Signed-in readers see internal incidents on /status, marked; anonymous readers never do."""
from __future__ import annotations

import pytest

from statuspage.domain.locales import LOCALES
from tests.admin.conftest import PASSWORD, Console
from tests.conftest import make_component, make_incident, make_user

SECRET = "Database failover rehearsal"


@pytest.fixture
def staff(app):
    console = Console(app.test_client(), make_user("viewer", password=PASSWORD))
    assert console.sign_in().status_code == 303
    return console


def test_signed_in_reader_sees_internal_incidents_marked(api, staff):
    make_component(api, "API")
    internal = make_incident(api, title=SECRET, visibility="internal")
    make_incident(api, title="Checkout errors")
    page = staff.get("/status")
    assert page.status_code == 200 and page.headers["Cache-Control"].startswith("private")
    html = page.get_data(as_text=True)
    assert SECRET in html and 'data-internal="true"' in html
    assert ">Internal<" in html and f"/admin/incidents/{internal['id']}" in html
    assert "Checkout errors" in html  # the public ones as usual
    german = staff.get("/status?lang=de").get_data(as_text=True)
    assert SECRET in german and "Interne Störungen" in german


@pytest.mark.parametrize("locale", LOCALES)
def test_anonymous_after_signed_in_never_sees_internal_data(app, api, staff, locale):
    make_component(api, "API")
    make_incident(api, title=SECRET, visibility="internal")
    anonymous = app.test_client()
    headers = {"Accept-Language": locale.replace("_", "-")}
    for _ in range(3):  # the signed-in copy is rendered and cached first, then served again
        assert SECRET in staff.get("/status", headers=headers).get_data(as_text=True)
        for path in ("/status", "/status/embed", "/api/public/status", "/api/v2/summary.json",
                     "/history.atom", f"/status?lang={locale}"):
            response = anonymous.get(path, headers=headers)
            assert response.status_code == 200, path
            assert SECRET not in response.get_data(as_text=True), path
        # An anonymous visitor that holds a session (it opened a form) is still anonymous.
        anonymous.get("/subscriptions/")
        assert SECRET not in anonymous.get("/status", headers=headers).get_data(as_text=True)
    assert anonymous.get("/status").headers["Cache-Control"].startswith("public")


def test_a_signed_in_reader_sees_internal_changes_at_once(api, staff):
    make_component(api, "API")
    assert SECRET not in staff.get("/status").get_data(as_text=True)
    incident = make_incident(api, title=SECRET, visibility="internal")
    assert SECRET in staff.get("/status").get_data(as_text=True)
    api.post(f"/api/incidents/{incident['id']}/updates", json={"body": "Replica lag 4 s."})
    assert "Replica lag 4 s." in staff.get("/status").get_data(as_text=True)


def test_signing_out_drops_the_internal_view(app, api, staff):
    make_incident(api, title=SECRET, visibility="internal")
    assert SECRET in staff.get("/status").get_data(as_text=True)
    staff.post("/admin/logout")
    assert SECRET not in staff.get("/status").get_data(as_text=True)
