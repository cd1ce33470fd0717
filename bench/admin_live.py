"""How long a change made in one console browser takes to show in another.

Starts the web process as in the Procfile (gunicorn -c gunicorn.conf.py) on a
scratch instance, signs two Chromium contexts in, and N times: browser A posts
a timeline update through the form; the clock runs from the click until
browser B's open incident page shows the text (SSE event -> region refresh).
Prints median, p95 and max. The target is under 2 s.

    python bench/admin_live.py [--rounds 20]

Uses DATABASE_URL / REDIS_URL when set, else the embedded default in a
temporary instance folder. Needs /usr/bin/chromium-headless-shell (Debian package chromium-headless-shell).
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EMAIL, PASSWORD = "bench@example.com", "bench-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask(env, *args) -> str:
    return subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout


def sign_in(page, url) -> None:
    page.goto(url + "/admin/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(url + "/admin/incidents")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="bench-admin-")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "INSTANCE_PATH": instance, "SECRET_KEY": "bench", "FLASK_APP": "wsgi:app",
           "RATELIMIT_ENABLED": "false", "WEB_CONCURRENCY": "1", "LOG_LEVEL": "WARNING"}
    flask(env, "db", "upgrade")
    flask(env, "users", "create", "--email", EMAIL, "--name", "Bench", "--role", "admin", "--password", PASSWORD)
    token = flask(env, "tokens", "create", "--email", EMAIL, "--name", "bench").strip().splitlines()[-1]
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}",
                            "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        request = urllib.request.Request(url + "/api/incidents", method="POST",
                                         data=b'{"title": "Bench incident", "severity": "SEV3"}',
                                         headers={"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/json"})
        incident_id = __import__("json").load(urllib.request.urlopen(request))["id"]
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium-headless-shell",
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            a, b = browser.new_context().new_page(), browser.new_context().new_page()
            for page in (a, b):
                sign_in(page, url)
                page.goto(f"{url}/admin/incidents/{incident_id}")
            b.wait_for_selector("main[data-stream='open']")
            seconds = []
            for n in range(args.rounds):
                text = f"Bench update {n}"
                a.fill("#update-body", text)
                start = time.monotonic()
                a.get_by_role("button", name="Post update").click()
                b.locator("#timeline").get_by_text(text).wait_for(timeout=30_000)
                seconds.append(time.monotonic() - start)
            browser.close()
        seconds.sort()
        p95 = seconds[max(0, int(len(seconds) * 0.95) - 1)]
        print(f"rounds={len(seconds)} median={statistics.median(seconds) * 1000:.0f} ms "
              f"p95={p95 * 1000:.0f} ms max={seconds[-1] * 1000:.0f} ms load={os.getloadavg()[0]:.1f}")
    finally:
        web.terminate()
        web.wait()
        if not os.environ.get("REDIS_URL"):
            sys.path.insert(0, str(ROOT))
            from statuspage.embedded_redis import stop
            stop(instance)  # the embedded redis-server outlives the processes that used it
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
