"""A real server (gunicorn as in the Procfile) and a real Chromium for browser tests."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Debian's build of Chromium's headless shell: the same Blink and V8 as /usr/bin/chromium
# without the desktop browser around them, it ran the browser tests on ~30 % less CPU.
CHROMIUM = "/usr/bin/chromium-headless-shell"
SERIOUS_AXE_FINDINGS = (
    "axe.run().then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact))"
    ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))})))")


@cache
def _axe_source() -> str:
    return AXE.read_text() + "\n;true"  # evaluated as a script: its value is ``true``


def serious_axe_findings(page) -> list[dict]:
    """axe-core's serious and critical findings on ``page`` as it is now.

    axe goes in through Playwright's ``evaluate``, which the page's Content-Security-Policy
    does not govern (it would refuse an injected <script>), so the page audited is the
    very page a test watched for errors and CSP violations, under the real policy."""
    page.evaluate(_axe_source())
    return page.evaluate(SERIOUS_AXE_FINDINGS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _ExitedAtStart(Exception):
    pass


class LiveServer:
    """gunicorn (gevent worker, the Procfile's setup) on a port picked at run time,
    sharing the test app's database, Redis and instance folder."""

    START_ATTEMPTS = 3

    def __init__(self, app):
        self.env = {**os.environ,
                    "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                    "REDIS_URL": app.config["REDIS_URL"],
                    "INSTANCE_PATH": app.instance_path,
                    "SECRET_KEY": app.config["SECRET_KEY"],
                    "RATELIMIT_ENABLED": "false",
                    "STREAM_HEARTBEAT_SECONDS": "2",
                    "WEB_CONCURRENCY": "1"}
        self._pick_port()
        self.proc = None

    def _pick_port(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env["PUBLIC_BASE_URL"] = self.url

    def start(self) -> None:
        for attempt in range(1, self.START_ATTEMPTS + 1):
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b",
                 f"127.0.0.1:{self.port}", "--graceful-timeout", "2",
                 os.environ.get("BROWSER_TEST_WSGI_APP", "wsgi:app")],
                cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                self._wait_ready(180)  # a deadline against hangs, generous for a loaded machine
                return
            except _ExitedAtStart:
                # Most likely another process took the free port before gunicorn bound it.
                if attempt == self.START_ATTEMPTS:
                    raise RuntimeError("the test server exited at start, on every port tried") from None
                self._pick_port()
            except BaseException:
                self.stop()  # the fixture never yielded it: nobody else would stop it
                raise

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/status/badge.svg", timeout=5):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    raise _ExitedAtStart()
                time.sleep(0.2)
        raise RuntimeError(f"the test server did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)  # gunicorn: quick shutdown, open streams cut
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="session")
def _shared_live_server(app):
    server = LiveServer(app)
    yield server
    server.stop()


@pytest.fixture
def live_server(_shared_live_server):
    """The test worker's one live server, started on first use: each test still starts
    from empty tables, an empty Redis and a fresh public cache (``_clean_state``), so
    only tests that need other settings start a :class:`LiveServer` of their own."""
    server = _shared_live_server
    if server.proc is None or server.proc.poll() is not None:
        server.start()
    return server


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium-headless-shell "
                    "(scripts/bootstrap does it)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


class PageWatch:
    """A page whose console errors, page errors and CSP violations are recorded."""

    def __init__(self, context):
        self.context = context
        self.errors: list[str] = []
        context.add_init_script(
            "window.__csp = []; document.addEventListener('securitypolicyviolation',"
            " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
        self.page = context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def csp_violations(self) -> list[str]:
        return self.page.evaluate("window.__csp")


@pytest.fixture
def watched(browser):
    contexts = []

    def open_page(**options) -> PageWatch:
        context = browser.new_context(**options)
        contexts.append(context)
        return PageWatch(context)

    yield open_page
    for context in contexts:
        context.close()
