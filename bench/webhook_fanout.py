"""Benchmark: webhook fan-out to 2,000 subscribers on a local receiver (its own process).

Prints, in one run:
  * POST /api/incidents latency (median, p95) with 10 and with 2,000 webhook
    subscribers (must not grow: the request only records the outbox row);
  * one incident created through the API and one worker (burst) until every
    webhook is delivered: all delivered?, deliveries/s, and the time from commit
    to receipt at the receiver (p50, p99).

The receiver (tests/receiver.py, a threading HTTP server) answers 200 at once and
records the arrival time of each request. Defaults: a throwaway SQLite file +
embedded Redis; set BENCH_DATABASE_URL / BENCH_REDIS_URL to use servers (the
database is wiped).

    python bench/webhook_fanout.py [--subscribers 2000] [--requests 20]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.email_fanout import _forget_pending, _latency  # noqa: E402  (the same probes)


def _add_webhooks(db, receiver, start: int, count: int) -> None:
    from statuspage.models import Subscriber, utcnow
    from statuspage.services import secretbox
    from statuspage.services.channels import signing

    now = utcnow()
    secret = secretbox.encrypt(signing.new_secret())
    rows = [{"channel": "webhook", "email": "owner@bench.example", "email_key": "owner@bench.example",
             "endpoint": receiver.url(f"/hook/{n}"), "secret_encrypted": secret, "scope": "all",
             "mode": "immediate", "consecutive_failures": 0, "confirmed_at": now,
             "created_at": now, "updated_at": now} for n in range(start, start + count)]
    db.session.execute(Subscriber.__table__.insert(), rows)
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()

    from tests.receiver import Receiver

    receiver = Receiver()
    instance = tempfile.mkdtemp(prefix="bench-webhooks-")
    for key, env in (("DATABASE_URL", "BENCH_DATABASE_URL"), ("REDIS_URL", "BENCH_REDIS_URL")):
        os.environ.pop(key, None)
        if os.environ.get(env):
            os.environ[key] = os.environ[env]

    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from statuspage.embedded_redis import stop as stop_redis
    from statuspage.entrypoint import build_app
    from statuspage.extensions import db, redis_client
    from statuspage.models import Delivery
    from statuspage.services import users
    from statuspage.services.context import SYSTEM
    from statuspage.worker import close_worker, make_worker

    app = build_app({"INSTANCE_PATH": instance, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                     "WEBHOOK_ALLOW_PRIVATE": True, "LOG_LEVEL": "WARNING"})
    try:
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as conn:
                    conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            upgrade()
            redis_client.client.flushdb()
            user = users.create_user(SYSTEM, "bench@example.com", "Bench", "admin")
            _token, raw = users.create_token(SYSTEM, user, "bench")
            db.session.commit()
            client = app.test_client()

            _add_webhooks(db, receiver, 0, 10)
            _latency(client, raw, 3)  # warm up
            small = _latency(client, raw, args.requests)
            _forget_pending(db, redis_client)
            _add_webhooks(db, receiver, 10, args.subscribers - 10)
            large = _latency(client, raw, args.requests)
            _forget_pending(db, redis_client)
            seen_before = len(receiver.requests("/hook/"))

            start = time.perf_counter()
            response = client.post("/api/incidents", json={"title": "Measured", "severity": "SEV1"},
                                   headers={"Authorization": f"Bearer {raw}"})
            committed_at = time.time()  # the request commits just before it answers
            assert response.status_code == 201
            worker = make_worker()
            worker.work(burst=True)
            close_worker(worker)
            elapsed = time.perf_counter() - start
            counts = dict(db.session.execute(select(Delivery.status, func.count())
                                             .group_by(Delivery.status)).all())
            got = receiver.requests("/hook/")[seen_before:]
            ids = {r["headers"]["webhook-id"] for r in got}
            lags = sorted((r["at"] - committed_at) * 1000 for r in got)
            sent = counts.get("SENT", 0)
            print(f"database: {db.engine.dialect.name}; webhook subscribers: {args.subscribers}")
            print(f"POST /api/incidents latency, {10:>6} subscribers: median {small[0]:.1f} ms, p95 {small[1]:.1f} ms")
            print(f"POST /api/incidents latency, {args.subscribers:>6} subscribers: median {large[0]:.1f} ms, p95 {large[1]:.1f} ms")
            print(f"deliveries by status: {json.dumps(counts)}; requests received: {len(got)} "
                  f"({len(ids)} distinct webhook-ids)")
            print(f"all delivered: {sent == args.subscribers == len(ids)}; "
                  f"{elapsed:.1f} s for {sent} (one worker): {sent / elapsed:.0f} deliveries/s")
            print(f"commit -> receipt: p50 {lags[len(lags) // 2]:.0f} ms, "
                  f"p99 {lags[max(0, int(len(lags) * 0.99) - 1)]:.0f} ms, max {lags[-1]:.0f} ms")
    finally:
        if not os.environ.get("REDIS_URL"):
            stop_redis(instance)
        receiver.stop()


if __name__ == "__main__":
    main()
