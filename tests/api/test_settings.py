"""Page settings and brand through the API, and where they show."""
from __future__ import annotations

import base64
from datetime import datetime

from tests.helpers import assert_problem, audit_actions

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _data_url(data: bytes, kind: str = "image/png") -> str:
    return f"data:{kind};base64," + base64.b64encode(data).decode()


def test_only_admins_read_and_change_settings(api_as, anon):
    assert api_as("admin").get("/api/settings").status_code == 200
    assert_problem(api_as("responder").get("/api/settings"), 403)
    assert_problem(api_as("responder").patch("/api/settings", json={"page_name": "X"}), 403)
    assert_problem(anon.get("/api/settings"), 401)


def test_environment_values_are_the_defaults_and_null_restores_them(api, client):
    doc = api.get("/api/settings").json
    assert (doc["page_name"], doc["time_zone"], doc["footer_links"]) == ("Acme Cloud", "UTC", [])
    assert "Acme Cloud" in client.get("/status").text  # cached now
    changed = api.patch("/api/settings", json={"page_name": "Globex", "time_zone": "Europe/Berlin"})
    assert changed.status_code == 200 and changed.json["page_name"] == "Globex"
    # Times are ISO 8601, as the OpenAPI document says, not HTTP dates.
    assert datetime.fromisoformat(changed.json["updated_at"]) == datetime.fromisoformat(
        api.get("/api/settings").json["updated_at"])
    page = client.get("/status").text  # the cached copy was dropped after the commit
    assert "Globex" in page and "Europe/Berlin" in page and "Acme Cloud" not in page
    assert "<title>Globex Status - Incident History</title>" in client.get("/history.rss").text
    assert api.get("/api/public/status").json["page"]["name"] == "Globex"
    assert api.patch("/api/settings", json={"page_name": None}).json["page_name"] == "Acme Cloud"
    assert "settings.updated" in audit_actions("settings")


def test_accent_colour_below_aa_contrast_is_refused_and_nothing_changes(api, client):
    for colour, theme in (("#2dd4bf", "light"), ("#000000", "dark")):
        problem = assert_problem(api.patch("/api/settings", json={"accent_color": colour, "page_name": "New"}), 422)
        assert theme in problem["errors"]["accent_color"][0]
    assert api.get("/api/settings").json["page_name"] == "Acme Cloud"
    assert api.patch("/api/settings", json={"accent_color": "#0f766e"}).status_code == 200
    page = client.get("/status").text
    assert "/status/brand.css" in page
    css_href = page.split('href="/status/brand.css', 1)[1].split('"', 1)[0]
    assert "--brand: #0f766e" in client.get("/status/brand.css" + css_href.replace("&amp;", "&")).text
    assert_problem(api.patch("/api/settings", json={"accent_color": "teal"}), 422)


def test_footer_links_support_url_and_announcement(api, client):
    links = [{"label": f"L{i}", "url": f"https://example.com/{i}"} for i in range(6)]
    assert_problem(api.patch("/api/settings", json={"footer_links": links}), 422)
    assert_problem(api.patch("/api/settings", json={"footer_links": [{"label": "x", "url": "javascript:alert(1)"}]}), 422)
    body = {"footer_links": links[:5], "support_url": "https://help.example.com",
            "announcement": "Planned **migration** on Friday. <script>alert(1)</script>"}
    assert api.patch("/api/settings", json=body).status_code == 200
    page = client.get("/status").text
    assert 'href="https://example.com/4"' in page and "Contact support" in page
    assert "Planned <strong>migration</strong> on Friday." in page and "<script>alert" not in page


def test_logo_png_and_svg_uploads_are_checked_and_sanitised(api, client):
    assert api.patch("/api/settings", json={"logo": _data_url(PNG)}).status_code == 200
    url = api.get("/api/settings").json["logo_url"]
    served = client.get(url)
    assert served.status_code == 200 and served.mimetype == "image/png" and served.data == PNG
    assert f'src="{url}"' in client.get("/status").text.replace("&amp;", "&")
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)">'
           b'<script>alert(2)</script><rect width="10" height="10" fill="#0f766e"/></svg>')
    assert api.patch("/api/settings", json={"favicon": _data_url(svg, "image/svg+xml")}).status_code == 200
    icon = client.get(api.get("/api/settings").json["favicon_url"])
    assert icon.mimetype == "image/svg+xml" and b"<rect" in icon.data
    assert b"script" not in icon.data and b"onload" not in icon.data
    assert "default-src 'none'" in icon.headers["Content-Security-Policy"]
    too_big = assert_problem(api.patch("/api/settings", json={"logo": _data_url(PNG + b"\x00" * 50_000)}), 422)
    assert "limit" in too_big["errors"]["logo"][0]
    assert_problem(api.patch("/api/settings", json={"logo": _data_url(b"GIF89a....")}), 422)
    assert_problem(api.patch("/api/settings", json={"logo": "https://example.com/logo.png"}), 422)
    doctype = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>'
    assert_problem(api.patch("/api/settings", json={"logo": _data_url(doctype, "image/svg+xml")}), 422)
    assert api.patch("/api/settings", json={"logo": None}).json["logo_url"] is None
    assert client.get(url).status_code == 404


def test_unknown_time_zone_and_unknown_fields_are_refused(api):
    assert "time_zone" in assert_problem(api.patch("/api/settings", json={"time_zone": "Mars/Olympus"}), 422)["errors"]
    assert_problem(api.patch("/api/settings", json={"colour": "#fff"}), 422)
