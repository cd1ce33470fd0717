"""How soon the static copy follows a public change (STATIC_SNAPSHOT_DIR + the worker).

    python bench/snapshot_refresh.py [--changes 10] [--burst 1] [--exports 0]

Seeds the demo into a scratch instance (SQLite + embedded Redis, or DATABASE_URL /
REDIS_URL when set), starts ``flask worker`` with STATIC_SNAPSHOT_DIR, waits for its
first copy, then commits component status changes (``--burst`` commits back to back
each time) and times commit → the swapped copy showing the last change. With
``--exports N`` it first times N whole exports in this process (no worker, no queue):
what one rebuild costs, and how many files it writes.
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATUSES = ("degraded_performance", "partial_outage", "major_outage", "operational")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--burst", type=int, default=1)
    parser.add_argument("--exports", type=int, default=0, help="first time N in-process exports")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-snapshot-"))
    copy = scratch / "copy"
    env = {**os.environ, "INSTANCE_PATH": str(scratch), "FLASK_APP": "wsgi", "SECRET_KEY": "bench",
           "STATIC_SNAPSHOT_DIR": str(copy)}
    for cmd in (("db", "upgrade"), ("seed-demo", "--yes")):
        subprocess.run([sys.executable, "-m", "flask", *cmd], cwd=ROOT, env=env, check=True, capture_output=True)
    os.environ.update({k: env[k] for k in ("INSTANCE_PATH", "SECRET_KEY", "STATIC_SNAPSHOT_DIR")})
    sys.path.insert(0, str(ROOT))
    from statuspage import create_app
    from statuspage.embedded_redis import stop as stop_redis
    from statuspage.extensions import db
    from statuspage.services import components, public_status
    from statuspage.services.context import SYSTEM

    if args.exports:
        import logging

        from statuspage.public import snapshot

        app = create_app()
        logging.getLogger("statuspage.access").setLevel(logging.WARNING)  # one line per URL otherwise
        took = []
        for n in range(args.exports):
            started = time.perf_counter()
            count = snapshot.export(app, scratch / f"export-{n}")
            took.append(time.perf_counter() - started)
            print(f"export {n + 1}: {count} files in {took[-1]:.2f} s", flush=True)
        print(f"export: median {statistics.median(took):.2f} s, {count} files; "
              f"load {os.getloadavg()[0]:.1f}", flush=True)
        if not args.changes:
            if not os.environ.get("REDIS_URL"):
                stop_redis(str(scratch))
            return
    worker = subprocess.Popen([sys.executable, "-m", "flask", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    times = []
    try:
        deadline = time.time() + 120
        while not (copy / "status/index.html").exists():
            if time.time() > deadline:
                sys.exit("the worker made no first copy in 120 s")
            time.sleep(0.05)
        app = create_app()
        with app.app_context():
            target = public_status.components()[0]["id"]
            for n in range(args.changes):
                status = STATUSES[n % len(STATUSES)]
                for _ in range(args.burst):
                    components.update(SYSTEM, target, {"status": status})
                    db.session.commit()
                committed = time.time()
                needle = f'data-id="{target}" data-status="{status}"'
                while needle not in (copy / "status/index.html").read_text():
                    time.sleep(0.02)
                times.append(time.time() - committed)
                print(f"change {n + 1}: in the copy {times[-1]:.2f} s after commit", flush=True)
        print(f"commit -> copy: median {statistics.median(times):.2f} s, max {max(times):.2f} s over "
              f"{len(times)} changes of {args.burst} commit(s) each; load {os.getloadavg()[0]:.1f}")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        if not os.environ.get("REDIS_URL"):
            stop_redis(str(scratch))


if __name__ == "__main__":
    main()
