"""``flask export-static`` and the worker's refresh of the static copy of the public site."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from statuspage.extensions import redis_client
from statuspage.jobs import snapshot as snapshot_jobs
from tests.conftest import make_component, make_incident
from tests.public.builders import make_maintenance, make_postmortem

LINK_RE = re.compile(r'(?<=\s)(?:href|src)="([^"#]*)')  # plain attributes, not x-bind:href


@pytest.fixture
def site(api):
    group = api.post("/api/component-groups", json={"name": "Core"}).json
    core = make_component(api, "API", group_id=group["id"])
    web = make_component(api, "Web")
    active = make_incident(api, title="Elevated errors", severity="SEV2", summary="Looking.",
                           components=[{"id": core["id"], "status": "partial_outage"}])
    resolved = make_incident(api, title="Old outage", severity="SEV1")
    api.post(f"/api/incidents/{resolved['id']}/transition", json={"to": "resolved", "message": "Fixed."})
    make_postmortem(resolved["id"])
    hidden = make_incident(api, title="Internal only", severity="SEV4", visibility="internal")
    make_maintenance("Database upgrade", component_ids=[core["id"]])
    return {"components": [core, web], "active": active, "resolved": resolved, "hidden": hidden}


def export(runner, directory: Path) -> Path:
    result = runner.invoke(args=["export-static", str(directory)])
    assert result.exit_code == 0, result.output
    return directory


def test_the_copy_holds_the_whole_public_site_with_working_relative_links(runner, site, tmp_path, client):
    out = export(runner, tmp_path / "site")
    assert out.is_symlink()  # swapped atomically: a fresh build behind a symlink
    active, resolved = site["active"]["id"], site["resolved"]["id"]
    expected = ["index.html", "status/index.html", "status/history/index.html", "status/embed/index.html",
                f"status/incidents/{active}/index.html", f"status/incidents/{resolved}/index.html",
                f"status/incidents/{resolved}/postmortem/index.html",
                "api/public/status.json", "api/public/uptime.json", f"api/public/incidents/{active}.json",
                f"api/public/incidents/{resolved}/postmortem.json", "api/v2/summary.json",
                "api/v2/scheduled-maintenances/upcoming.json", "history.atom", "history.rss",
                "status/maintenance.ics", "status/badge.svg", "static/js/status-page.js",
                "static/vendor/alpinejs-csp-3.17.4.esm.min.js", "static/css/public.css"]
    expected += [f"status/components/{c['id']}/badge.svg" for c in site["components"]]
    missing = [name for name in expected if not (out / name).is_file()]
    assert missing == []
    assert not (out / f"status/incidents/{site['hidden']['id']}").exists()
    assert not (out / "static/js/admin").exists()

    checked = 0
    for page in out.rglob("*.html"):
        for link in LINK_RE.findall(page.read_text()):
            if not link or link.startswith(("http://status.test/", "href(")):
                continue  # the live app (subscribing), or an Alpine expression
            assert not link.startswith("/"), (page, link)
            assert (page.parent / link).resolve().is_file(), (page, link)
            checked += 1
    assert checked > 100

    status_page = (out / "status/index.html").read_text()
    assert "Elevated errors" in status_page and "A static copy of this page, generated" in status_page
    assert 'id="live-snapshot"' not in status_page  # no live stream from a static host
    assert 'href="http://status.test/subscriptions/"' in status_page
    document = json.loads((out / "api/public/status.json").read_text())
    assert [i["title"] for i in document["incidents"]] == ["Elevated errors"]
    assert "BEGIN:VCALENDAR" in (out / "status/maintenance.ics").read_text()
    # The live site is not touched by the export's rendering.
    assert "A static copy" not in client.get("/status").get_data(as_text=True)


def _language_links(html: str) -> dict[str, str]:
    if 'class="footer-links languages"' not in html:
        return {}
    menu = html[html.index('class="footer-links languages"'):]
    menu = menu[:menu.index("</ul>")]
    return dict((code, href) for href, code in re.findall(r'<a href="([^"]+)" lang="[^"]+" hreflang="([^"]+)"', menu))


def test_each_language_has_a_copy_of_its_own_with_language_links(runner, site, tmp_path):
    out = export(runner, tmp_path / "site")
    resolved = site["resolved"]["id"]
    page = f"status/incidents/{resolved}/index.html"
    copies = {"en": "", "de": "de/", "fr": "fr/", "es": "es/", "pt_BR": "pt_BR/", "ja": "ja/"}
    assert not (out / "en").exists()  # the default language is the root copy
    for locale, copy in copies.items():
        tag = locale.replace("_", "-")
        for name in ("status/index.html", "status/history/index.html", "status/embed/index.html", page,
                     f"status/incidents/{resolved}/postmortem/index.html"):
            html = (out / copy / name).read_text()
            assert re.search(r'<html lang="([^"]+)"', html).group(1) == tag, (locale, name)
        html = (out / copy / page).read_text()
        assert f'hreflang="{tag}" aria-current="true"' in html
        links = _language_links(html)
        assert set(links) == {c.replace("_", "-") for c in copies}
        for other, other_copy in copies.items():  # each leads to this page in that language
            target = (out / copy / page).parent / links[other.replace("_", "-")]
            assert target.resolve() == (out / other_copy / page).resolve(), (locale, other)
        # Every other link stays inside this copy (assets are shared, the live app is the app).
        for html_file in (out / copy / "status").rglob("*.html"):
            text = html_file.read_text()
            for link in LINK_RE.findall(text):
                if not link or link.startswith(("http://status.test/", "href(")) or link in _language_links(text).values():
                    continue
                target = (html_file.parent / link).resolve()
                assert target.is_file(), (html_file, link)
                if "/static/" not in str(target):
                    assert target.is_relative_to((out / copy).resolve()), (html_file, link)
                    assert copy or not any(target.is_relative_to((out / c).resolve())
                                           for c in copies.values() if c), (html_file, link)
    german = (out / "de/status/index.html").read_text()
    assert '<h2 id="incidents-title">Aktuelle Störungen</h2>' in german
    assert 'href="http://status.test/subscriptions/?lang=de"' in german  # the live app, in German
    assert "teilweiser systemausfall" in (out / "de/status/badge.svg").read_text()  # a partial outage
    assert "partial system outage" in (out / "status/badge.svg").read_text()
    assert 'xml:lang="de"' in (out / "de/history.atom").read_text()
    # Documents without words of ours are the same bytes in every copy.
    for name in ("api/public/status.json", "api/v2/summary.json", "status/maintenance.ics"):
        assert (out / "ja" / name).read_bytes() == (out / name).read_bytes()
    assert (out / "fr/index.html").is_file() and (out / "fr/static").exists() is False
    front = (out / "de/index.html").read_text()  # each copy's front door speaks its language
    assert '<html lang="de">' in front and ">Aktueller Status</a>" in front


def test_the_pages_default_language_is_the_root_copy(runner, site, tmp_path, api):
    assert api.patch("/api/settings", json={"default_locale": "de"}).status_code == 200
    out = export(runner, tmp_path / "site")
    assert not (out / "de").exists()
    assert '<html lang="de"' in (out / "status/index.html").read_text()
    english = (out / "en/status/index.html").read_text()
    assert '<html lang="en"' in english and "Active incidents" in english
    assert _language_links(english)["de"] == "../../status/index.html"


def test_re_export_swaps_the_symlink_and_keeps_two_builds(runner, site, tmp_path, api):
    out = export(runner, tmp_path / "site")
    first = os.readlink(out)
    make_incident(api, title="Second thoughts", severity="SEV3")
    export(runner, out)
    export(runner, out)
    assert os.readlink(out) != first
    assert "Second thoughts" in (out / "status/index.html").read_text()
    assert len(list((tmp_path / ".site.builds").iterdir())) == 2


def test_an_existing_directory_is_written_in_place(runner, site, tmp_path):
    target = tmp_path / "plain"
    target.mkdir()
    export(runner, target)
    assert not target.is_symlink() and (target / "status/index.html").is_file()


@pytest.fixture
def snapshot_dir(app, tmp_path):
    app.config["STATIC_SNAPSHOT_DIR"] = str(tmp_path / "live-copy")
    redis_client.client.delete(snapshot_jobs._PENDING)
    yield Path(app.config["STATIC_SNAPSHOT_DIR"])
    app.config["STATIC_SNAPSHOT_DIR"] = None


def test_a_public_change_refreshes_the_copy_through_the_worker_once_per_burst(snapshot_dir, api, run_worker):
    component = make_component(api, "API")
    run_worker()
    assert (snapshot_dir / "status/index.html").is_file()
    built = os.readlink(snapshot_dir)

    for status in ("degraded_performance", "partial_outage", "major_outage"):
        api.patch(f"/api/components/{component['id']}", json={"status": status})
    from rq import Queue

    queued = Queue(snapshot_jobs.QUEUE, connection=redis_client.client).get_job_ids()
    assert len(queued) == 1, "a burst of commits queues one refresh"
    run_worker()
    assert os.readlink(snapshot_dir) != built
    assert "Major System Outage" in (snapshot_dir / "status/index.html").read_text()
    assert not redis_client.client.exists(snapshot_jobs._PENDING)


def test_without_a_snapshot_directory_nothing_is_queued(app, snapshot_dir, api):
    app.config["STATIC_SNAPSHOT_DIR"] = None
    make_component(api, "Web")
    assert not redis_client.client.exists(snapshot_jobs._PENDING)
