"""``./scripts/run`` as a new user runs it: twice on one instance folder, Ctrl-C in between.

The script always runs the embedded default (SQLite + embedded Redis in the instance
folder), so it is exercised once, in the embedded pass of the suite.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import uuid
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from tests.conftest import POSTGRES
from tests.resilience.procs import wait_for
from tests.stream.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
READY = "Ready: web and worker are running"

pytestmark = [pytest.mark.skipif(POSTGRES, reason="./scripts/run always runs the embedded default; "
                                                  "the embedded pass covers it"),
              pytest.mark.slow(seconds=70)]


class Run:
    """One ``./scripts/run`` in its own process group, its output collected line by line."""

    def __init__(self, instance: Path, port: int):
        env = {k: v for k, v in os.environ.items() if k not in (
            "DATABASE_URL", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR", "PUBLIC_BASE_URL",
            "SECRET_KEY", "FLASK_APP", "GUNICORN_CMD_ARGS")}
        env.update(INSTANCE_PATH=str(instance), PORT=str(port))
        self.instance, self.port, self.lines = instance, port, []
        self.proc = subprocess.Popen([str(ROOT / "scripts" / "run")], cwd=ROOT, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        with self.proc.stdout:
            for line in self.proc.stdout:
                self.lines.append(line.rstrip("\n"))

    def wait_ready(self) -> list[str]:
        """The output up to and including the ready line."""
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError("scripts/run exited:\n" + "\n".join(self.lines))
            return next((i for i, line in enumerate(self.lines) if READY in line), None)
        return self.lines[:wait_for(lambda: (r := ready()) is not None and r + 1, 180,
                                    "scripts/run to report ready")]

    def ctrl_c(self) -> int:
        os.killpg(self.proc.pid, signal.SIGINT)  # what a terminal sends to the foreground group
        status = self.proc.wait(60)
        self.reader.join(10)
        return status

    def call(self, method: str, path: str, token: str | None = None, body: dict | None = None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        request = Request(f"http://127.0.0.1:{self.port}{path}", data, headers, method=method)
        try:
            with urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except HTTPError as exc:
            return exc.code, None


def _processes_of(instance: Path) -> list[str]:
    """Processes (any session, daemons included) started with this instance folder."""
    marker = f"INSTANCE_PATH={instance}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return found


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on ``port`` (from /proc/net/tcp*)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def _banner_value(lines: list[str], label: str) -> str:
    return next(line for line in lines if line.startswith(label)).split(label, 1)[1].strip()


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """First run on an empty folder, Ctrl-C, second run on the same folder, Ctrl-C."""
    instance = tmp_path_factory.mktemp("scripts-run")
    port = free_port()
    seen = {"instance": instance, "port": port}
    first = Run(instance, port)
    try:
        seen["first_output"] = first.wait_ready()
        token = _banner_value(seen["first_output"], "API token:")
        seen["listening"] = _listening_addresses(port)
        seen["created"] = first.call("POST", "/api/incidents", token,
                                     {"title": "Made between restarts", "severity": "SEV3"})
        probe = f"/probe-{uuid.uuid4().hex}"
        first.call("GET", probe)
        seen["probe"] = probe
        wait_for(lambda: any(probe in line for line in first.lines), 30, "the probe's access line")
    finally:
        first.ctrl_c()
    seen["first_all_output"] = list(first.lines)
    seen["left_after_first"] = _wait_gone(instance)
    second = Run(instance, port)
    try:
        seen["second_output"] = second.wait_ready()
        token = _banner_value(seen["second_output"], "API token:")
        seen["kept"] = second.call("GET", "/api/incidents?q=restarts", token)
    finally:
        second.ctrl_c()
    seen["left_after_second"] = _wait_gone(instance)
    return seen


def _wait_gone(instance: Path) -> list[str]:
    try:
        wait_for(lambda: not _processes_of(instance), 30, "every process to end")
    except AssertionError:
        pass
    return _processes_of(instance)


def test_first_run_seeds_and_prints_url_login_and_token_last_once_ready(two_runs):
    lines = two_runs["first_output"]
    base = f"http://127.0.0.1:{two_runs['port']}"
    web_ready = max(i for i, line in enumerate(lines) if "Listening at" in line)
    worker_ready = max(i for i, line in enumerate(lines) if "Listening on" in line)
    banner = next(i for i, line in enumerate(lines) if line.startswith("Status page:"))
    assert banner > max(web_ready, worker_ready)
    tail = lines[banner:]
    assert tail[0] == f"Status page:  {base}/status"
    assert tail[1].startswith(f"Console:      {base}/admin/") and "admin@example.com" in tail[1]
    assert tail[2].startswith("API token:    sp_")
    assert "seed-demo --yes" in "\n".join(tail) and READY in tail[-1]
    assert all(" | " not in line for line in tail)  # nothing interleaved with the banner
    assert two_runs["created"][0] == 201


def test_serves_on_loopback_only_on_the_chosen_port(two_runs):
    assert two_runs["listening"] == {"0100007F"}  # 127.0.0.1, and no 0.0.0.0 or :: listener


def test_second_run_keeps_the_data_and_says_how_to_reset(two_runs):
    status, body = two_runs["kept"]
    assert status == 200 and [i["title"] for i in body["items"]] == ["Made between restarts"]
    assert any("Kept the existing data" in line for line in two_runs["second_output"])


def test_ctrl_c_stops_web_worker_and_the_embedded_redis(two_runs):
    assert two_runs["left_after_first"] == []
    assert two_runs["left_after_second"] == []


def test_each_log_line_appears_once(two_runs):
    probe = two_runs["probe"]
    assert sum(probe in line for line in two_runs["first_all_output"]) == 1
