"""The round trip with the real Prometheus Alertmanager: alerts posted to its API reach
the ingest URL through its webhook receiver; the component changes and comes back."""
from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

from statuspage.extensions import db
from statuspage.models import Component, Incident
from tests.conftest import make_component
from tests.resilience.procs import wait_for
from tests.stream.servers import WebServer, base_env, free_port

ALERTMANAGER = shutil.which("prometheus-alertmanager")
pytestmark = pytest.mark.skipif(ALERTMANAGER is None, reason="apt-get install -y prometheus-alertmanager")

CONFIG = """
route:
  receiver: status
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: status
    webhook_configs:
      - url: {url}
        send_resolved: true
"""


class Alertmanager:
    """``prometheus-alertmanager`` on a free port, alone (no cluster), in a private directory."""

    def __init__(self, directory, webhook_url: str):
        self.port = free_port()
        (directory / "alertmanager.yml").write_text(CONFIG.format(url=webhook_url))
        self.log = open(directory / "alertmanager.log", "wb")
        self.proc = subprocess.Popen(
            [ALERTMANAGER, f"--config.file={directory / 'alertmanager.yml'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--cluster.listen-address=",
             f"--storage.path={directory / 'data'}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(self._ready, 30, "alertmanager to start")

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def post_alerts(self, alerts: list[dict]) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/v2/alerts", data=json.dumps(alerts).encode(),
            headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(20)
        self.log.close()


def _alert(ends_at: datetime | None = None) -> dict:
    now = datetime.now(timezone.utc)
    alert = {"labels": {"alertname": "CheckoutErrors", "component": "checkout",
                        "severity": "critical"},
             "annotations": {"summary": "Checkout failing for 5% of users"},
             "startsAt": (now - timedelta(seconds=30)).isoformat()}
    if ends_at is not None:
        alert["endsAt"] = ends_at.isoformat()
    return alert


def _state(component_id: int) -> tuple[str, list[str]]:
    db.session.expire_all()
    incidents = [i.status for i in db.session.query(Incident).order_by(Incident.id)]
    return db.session.get(Component, component_id).status, incidents


def test_alertmanager_round_trip(api, instance_dir, tmp_path):
    component = make_component(api, name="Checkout")
    created = api.post("/api/integrations", json={
        "kind": "alertmanager", "name": "prod", "open_incident": True}).json
    web = WebServer(base_env(instance_dir), tmp_path)
    path = created["ingest_url"].split("/api/hooks/", 1)[1]
    manager = Alertmanager(tmp_path, f"http://127.0.0.1:{web.port}/api/hooks/{path}")
    try:
        manager.post_alerts([_alert()])
        wait_for(lambda: _state(component["id"]) == ("major_outage", ["investigating"]), 60,
                 "the firing alert to reach the component " + manager.log.name)
        manager.post_alerts([_alert(ends_at=datetime.now(timezone.utc) - timedelta(seconds=1))])
        wait_for(lambda: _state(component["id"]) == ("operational", ["monitoring"]), 60,
                 "the resolution to bring the component back")
        payloads = api.get(f"/api/integrations/{created['id']}/payloads").json["items"]
        assert [p["outcome"] for p in payloads] == ["applied", "applied"]
        assert json.loads(payloads[-1]["excerpt"])["version"] == "4"
    finally:
        manager.stop()
        web.stop()
