"""The static copy served by a real nginx (Debian's) with the documented config, no app
running behind it, and a worker refresh showing through the symlink swap."""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from statuspage.extensions import redis_client
from statuspage.jobs import snapshot as snapshot_jobs
from tests.conftest import make_component, make_incident
from tests.receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CONFIG = ROOT / "docs" / "nginx-static-snapshot.conf"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(tmp_path: Path, snapshot: Path, upstream_port: int, stream_port: int | None = None):
    """A real nginx with the documented config, its app upstream on ``upstream_port`` and
    the app's listener for streams on ``stream_port`` (none: nothing listens there);
    yields the port it listens on."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: apt-get install -y nginx (scripts/bootstrap --test does it)")
    port = _free_port()
    site = (CONFIG.read_text().replace("listen 8080;", f"listen 127.0.0.1:{port};")
            .replace("/srv/statuspage/snapshot", str(snapshot))
            .replace("127.0.0.1:5000", f"127.0.0.1:{upstream_port}")
            .replace("127.0.0.1:5001", f"127.0.0.1:{stream_port or _free_port()}"))
    (tmp_path / "site.conf").write_text(site)
    temp = tmp_path / "nginx-temp"
    temp.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""  # pytest's tmp dirs are private
    (tmp_path / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\nevents {{ worker_connections 64; }}\n"
        f"http {{\n include /etc/nginx/mime.types;\n access_log off;\n"
        + "".join(f" {kind}_temp_path {temp}/{kind};\n"
                  for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + f" include {tmp_path}/site.conf;\n}}\n")
    proc = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {proc.stderr.read().decode()}")
                time.sleep(0.05)
        yield port
    finally:
        proc.send_signal(signal.SIGQUIT)
        proc.wait(10)
        proc.stderr.close()


@pytest.fixture
def nginx(tmp_path, app):
    snapshot = tmp_path / "copy"
    app.config["STATIC_SNAPSHOT_DIR"] = str(snapshot)
    redis_client.client.delete(snapshot_jobs._PENDING)
    try:
        with serving(tmp_path, snapshot, upstream_port=_free_port()) as port:  # the app is down
            yield port, snapshot
    finally:
        app.config["STATIC_SNAPSHOT_DIR"] = None


def get(port: int, path: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Accept-Encoding": "identity"})
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


def test_nginx_serves_the_copy_with_the_app_down_and_shows_a_refresh(nginx, api, run_worker):
    port, snapshot = nginx
    component = make_component(api, "API")
    incident = make_incident(api, title="Seen from nginx", severity="SEV2",
                             components=[{"id": component["id"], "status": "major_outage"}])
    run_worker()  # the refresh the commits queued: the copy exists now
    assert snapshot.is_symlink()

    redirect = get(port, "/status")
    assert redirect.status == 301 and redirect.getheader("Location") == "/status/"
    page = get(port, "/status/")
    assert page.status == 200 and page.getheader("Content-Type").startswith("text/html")
    assert b"Seen from nginx" in page.body and b"A static copy of this page" in page.body
    assert get(port, "/").getheader("Location") == "/status/"
    for path, kind, needle in [
        (f"/status/incidents/{incident['id']}/", "text/html", b"Seen from nginx"),
        ("/api/public/status", "application/json", b'"title":"Seen from nginx"'),
        ("/api/v2/summary.json", "application/json", b"Seen from nginx"),
        ("/history.atom", "application/atom+xml", b"Seen from nginx"),
        ("/status/badge.svg", "image/svg+xml", b"<svg"),
        (f"/status/components/{component['id']}/badge.svg", "image/svg+xml", b"<svg"),
        ("/status/maintenance.ics", "text/calendar", b"BEGIN:VCALENDAR"),
        ("/static/js/status-page.js", "application/javascript", b"registerStatusPage"),
    ]:
        response = get(port, path)
        assert response.status == 200, path
        assert response.getheader("Content-Type").startswith(kind), (path, response.getheader("Content-Type"))
        assert needle in response.body, path
    # What the copy does not hold goes to the app, which is down.
    assert get(port, "/admin/").status == 502
    assert get(port, "/status/incidents/999999/").status == 502
    # The other languages' copies, under /<locale>/.
    assert get(port, "/de/status").getheader("Location") == "/de/status/"
    for path, needle in [("/de/status/", b'<html lang="de"'), ("/pt_BR/status/", b'<html lang="pt-BR"'),
                         (f"/ja/status/incidents/{incident['id']}/", b"Seen from nginx"),
                         ("/fr/history.atom", b'xml:lang="fr"')]:
        response = get(port, path)
        assert response.status == 200 and needle in response.body, path
    assert get(port, "/de/status/maintenance.ics").getheader("Content-Type").startswith("text/calendar")
    assert get(port, "/de/api/public/status.json").getheader("Content-Type").startswith("application/json")
    assert get(port, "/de/status/incidents/999999/").status == 502

    api.patch(f"/api/components/{component['id']}", json={"status": "operational"})
    api.post(f"/api/incidents/{incident['id']}/transition", json={"to": "resolved", "message": "Fixed."})
    run_worker()
    page = get(port, "/status/")
    assert b"All Systems Operational" in page.body
    assert json.loads(get(port, "/api/public/status").body)["incidents"] == []


def test_nginx_sends_the_apps_requests_on_kept_open_connections(tmp_path):
    # Each reader and operator below opens a connection of their own to nginx; nginx
    # reuses one to the app, so an operator's request never waits behind a storm of new
    # connections in the app's accept backlog.
    upstream = Receiver()
    try:
        with serving(tmp_path, tmp_path / "copy", upstream.port) as port:
            for path in ("/admin/incidents", "/api/public/missing", "/api/incidents"):
                assert get(port, path).status == 200
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("POST", "/api/incidents", body=b'{"title": "Down"}',
                         headers={"Content-Type": "application/json"})
            assert conn.getresponse().status == 200
            conn.close()
            seen = upstream.requests()
    finally:
        upstream.stop()
    assert [(r["method"], r["path"]) for r in seen] == [
        ("GET", "/admin/incidents"), ("GET", "/api/public/missing"), ("GET", "/api/incidents"),
        ("POST", "/api/incidents")]
    assert len({r["peer_port"] for r in seen}) == 1
    for request in seen:
        assert "close" not in request["headers"].get("connection", "").lower()
        assert request["headers"]["host"] == "127.0.0.1"
        assert request["headers"]["x-forwarded-for"] == "127.0.0.1"
        assert request["headers"]["x-forwarded-proto"] == "http"
    assert seen[-1]["body"] == b'{"title": "Down"}'


def test_nginx_sends_streams_to_the_apps_listener_for_streams(tmp_path):
    # Readers' stream connections queue at the app's listener for streams, apart from
    # everything else; an app started without one still gets them on its main port.
    app, streams = Receiver(), Receiver()
    try:
        with serving(tmp_path, tmp_path / "copy", app.port, streams.port) as port:
            assert get(port, "/api/stream/public").status == 200
            assert get(port, "/api/incidents").status == 200
            seen_by_streams = streams.requests()
            streams.stop()
            assert get(port, "/api/stream/admin").status == 200
        seen_by_app = app.requests()
    finally:
        app.stop()
        streams.stop()
    assert [r["path"] for r in seen_by_streams] == ["/api/stream/public"]
    assert [r["path"] for r in seen_by_app] == ["/api/incidents", "/api/stream/admin"]
