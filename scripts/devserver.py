"""Run the Procfile's ``web`` and ``worker`` for local development (``./scripts/run``).

honcho runs the two processes and prefixes their lines; on top of it this script
* binds the web process to 127.0.0.1:$PORT (the Procfile keeps 0.0.0.0 for a dyno),
* prints the banner (URL, demo login, token) once web and worker are ready, so it
  is the last thing on screen rather than lost above the start-up lines,
* stops the embedded redis-server after Ctrl-C, so nothing is left running.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import threading
import time
import urllib.request
from pathlib import Path

from honcho.manager import Manager
from honcho.printer import Message, Printer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BANNER = "banner"
RESET = "Start over with the demo data: FLASK_APP=wsgi .venv/bin/flask seed-demo --yes"
READY = "Ready: web and worker are running on 127.0.0.1 (Ctrl-C stops them and the embedded Redis)."


class DevPrinter(Printer):
    """honcho's printer, except that banner lines are printed bare."""

    def write(self, message):
        if message.name == BANNER:
            print(message.data, file=self.output, flush=True)
        else:
            super().write(message)


def procfile_commands(names: tuple[str, ...]) -> dict[str, str]:
    commands = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() in names:
            commands[name.strip()] = command.strip()
    return commands


def _healthz(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return None


def wait_until_ready(port: int, since: float, stop: threading.Event) -> bool:
    """True once web answers /healthz and the worker has beaten since ``since``."""
    while not stop.wait(0.5):
        health = _healthz(port)
        age = (health or {}).get("worker_heartbeat_age_seconds")
        if health and health.get("status") == "ok" and age is not None and time.time() - age >= since:
            return True
    return False


def announce(manager: Manager, lines: list[str]) -> None:
    for line in lines:
        manager.events.put(Message(type="line", data=line, time=datetime.datetime.now(),
                                   name=BANNER, colour=None))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--banner", default="", help="lines to print once everything is ready")
    args = parser.parse_args()
    port = int(os.environ.get("PORT", "5000"))
    env = {**os.environ, "PORT": str(port), "PYTHONUNBUFFERED": "1"}
    web_env = {**env, "GUNICORN_CMD_ARGS":
               f"--bind=127.0.0.1:{port} {os.environ.get('GUNICORN_CMD_ARGS', '')}".strip()}

    manager = Manager(DevPrinter(sys.stdout))
    commands = procfile_commands(("web", "worker"))
    manager.add_process("web", commands["web"], env=web_env, cwd=str(ROOT))
    manager.add_process("worker", commands["worker"], env=env, cwd=str(ROOT))

    stop = threading.Event()
    started = time.time()

    def watch():
        if wait_until_ready(port, started, stop):
            announce(manager, [*args.banner.splitlines(), RESET, READY])

    threading.Thread(target=watch, daemon=True).start()
    try:
        manager.loop()
    finally:
        stop.set()
        if not os.environ.get("REDIS_URL"):
            from statuspage.embedded_redis import stop as stop_redis

            stop_redis(os.environ.get("INSTANCE_PATH") or str(ROOT / "instance"))
            print("embedded Redis stopped", flush=True)
    return manager.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
