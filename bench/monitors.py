"""Benchmark the built-in monitors: 500 HTTP monitors at a 10 s interval.

A scratch instance (the embedded default: SQLite + embedded Redis, or
DATABASE_URL / REDIS_URL when set) gets ``--monitors`` HTTP monitors whose
first checks are spread over one interval; one ``flask worker`` (as in the
Procfile) runs them for ``--duration`` seconds against a local HTTP server in
its own process, which notes when each check arrives. Prints:

- lateness: arrival at the server minus the check's due time (p50 / p99 / max),
- checks per second and checks missed (ticks with no check),
- the worker's CPU (user + system seconds over wall time, from /proc),
- result rows per day: raw (kept 48 h) and after hourly folding (kept 90 days),
  measured by folding this run's rows with the clock moved 49 h ahead.

    python bench/monitors.py [--monitors 500] [--interval 10] [--duration 60]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent


class _Target(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    arrivals: list = []
    lock = threading.Lock()

    def log_message(self, *_args):
        pass

    def do_GET(self):
        if self.path == "/_arrivals":
            with self.lock:
                body = json.dumps(self.arrivals).encode()
        else:
            with self.lock:
                self.arrivals.append((self.path, time.time()))
            body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Target)
    server.daemon_threads = True
    server.request_queue_size = 1024
    print(server.server_address[1], flush=True)
    server.serve_forever()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / ticks


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--monitors", type=int, default=500)
    parser.add_argument("--interval", type=int, default=10)
    parser.add_argument("--duration", type=float, default=60)
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="bench-monitors-")
    env = {**os.environ, "INSTANCE_PATH": instance, "FLASK_APP": "wsgi", "WEBHOOK_ALLOW_PRIVATE": "1",
           "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    os.environ.update(env)

    from flask_migrate import upgrade

    from statuspage.entrypoint import build_app
    from statuspage.extensions import db
    from statuspage.models import Monitor, MonitorResult
    from statuspage.services import monitor_metrics

    target = subprocess.Popen([sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True)
    port = int(target.stdout.readline())
    app = build_app()
    start = datetime.now(timezone.utc) + timedelta(seconds=5)
    with app.app_context():
        upgrade()
        step = args.interval / args.monitors
        db.session.add_all(Monitor(
            name=f"m{n}", kind="http", url=f"http://127.0.0.1:{port}/m/{n}",
            interval_seconds=args.interval, timeout_seconds=5, expected_status=[[200, 399]],
            next_check_at=start + timedelta(seconds=n * step)) for n in range(args.monitors))
        db.session.commit()
        first_due = {f"/m/{n}": (start + timedelta(seconds=n * step)).timestamp()
                     for n in range(args.monitors)}
    worker = subprocess.Popen([str(BIN / "flask"), "worker"], cwd=ROOT, env=env)
    try:
        time.sleep(5)  # the worker's start-up, not measured
        cpu0, wall0 = cpu_seconds(worker.pid), time.monotonic()
        measure_from = time.time()
        time.sleep(args.duration)  # the measured period: a benchmark, not a test
        cpu1, wall1 = cpu_seconds(worker.pid), time.monotonic()
        measure_to = time.time()
    finally:
        worker.terminate()
        worker.wait(30)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_arrivals", timeout=10) as answer:
        arrivals = json.loads(answer.read())
    target.terminate()
    late = [(at - first_due[path]) % args.interval for path, at in arrivals
            if measure_from <= at <= measure_to]
    expected = args.monitors * args.duration / args.interval
    with app.app_context():
        raw = db.session.query(MonitorResult).count()
        done = monitor_metrics.compact(now=datetime.now(timezone.utc) + timedelta(hours=49))
        db.session.commit()
        folded = db.session.query(MonitorResult).count()
    run_hours = (measure_to - measure_from + 5) / 3600
    print(f"monitors={args.monitors} interval={args.interval}s measured={args.duration:.0f}s "
          f"load={os.getloadavg()[0]:.1f}")
    print(f"checks: {len(late)} of {expected:.0f} due ({len(late) / args.duration:.1f}/s)")
    print(f"lateness: p50 {percentile(late, .5) * 1000:.0f} ms, p99 {percentile(late, .99) * 1000:.0f} ms, "
          f"max {max(late) * 1000:.0f} ms")
    print(f"worker CPU: {(cpu1 - cpu0) / (wall1 - wall0) * 100:.0f}% of one core")
    per_day_raw = args.monitors * 86400 / args.interval
    print(f"rows/day: raw {per_day_raw:,.0f} (kept 48 h: {2 * per_day_raw:,.0f} rows), "
          f"folded {args.monitors * 24:,} (this run: {raw} raw rows -> {folded} hourly rows, "
          f"{done['folded']} folded; ~{run_hours * 60:.1f} min of checks)")


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        main()
