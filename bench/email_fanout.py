"""Benchmark: email fan-out to 10,000 confirmed subscribers.

Prints, in one run:
  * POST /api/incidents latency with 10 and with 10,000 subscribers (must not grow:
    the request only records the outbox row; fan-out happens in the worker);
  * the time from creating one incident until all 10,000 deliveries are SENT by
    one worker, and the resulting messages/s;
  * the raw rate of plain smtplib sending 10,000 messages over one reused
    connection to the same sink, before and after ours, and our rate as a share of
    their mean (target >= 100 %).

The SMTP sink (aiosmtpd) runs in its own process so it does not share the GIL
with the worker. It offers PIPELINING, as Postfix and the hosted relays do
(``--no-pipelining``: it does not; plain smtplib never pipelines either way).
Defaults: a throwaway SQLite file + embedded Redis; set BENCH_DATABASE_URL /
BENCH_REDIS_URL to use servers (the database is wiped). ``--profile FILE`` writes
cProfile stats of the worker's run (one lane's thread with ``--connections 1``).

    python bench/email_fanout.py [--subscribers 10000] [--requests 20] [--connections N]
"""
from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import os
import smtplib
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _sink(port: int, counter, ready, pipelining: bool) -> None:
    from aiosmtpd.controller import Controller

    class Count:
        if pipelining:  # aiosmtpd reads commands from a stream, so it can take them pipelined
            async def handle_EHLO(self, server, session, envelope, hostname, responses):
                session.host_name = hostname
                return [*responses[:-1], "250-PIPELINING", responses[-1]]

        async def handle_DATA(self, server, session, envelope):
            with counter.get_lock():
                counter.value += 1
            return "250 OK"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def _cpu(pid: int, part: slice = slice(11, 13)) -> float:
    """CPU seconds (user + system; ``slice(12, 13)``: system only) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[part]) / os.sysconf("SC_CLK_TCK")


def _latency(client, token: str, n: int) -> tuple[float, float]:
    times = []
    for i in range(n):
        start = time.perf_counter()
        response = client.post("/api/incidents", json={"title": f"Bench {i}", "severity": "SEV3"},
                               headers={"Authorization": f"Bearer {token}"})
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 201, response.get_data(as_text=True)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def _forget_pending(db, redis_client) -> None:
    """Latency probes must not send mail: drop their fan-out before the measured run."""
    from statuspage.models import OutboxEvent

    db.session.execute(db.update(OutboxEvent).values(fanout_status="done"))
    db.session.commit()
    redis_client.client.flushdb()


def _add_subscribers(db, start: int, count: int) -> None:
    from statuspage.models import Subscriber, utcnow

    now = utcnow()
    table = Subscriber.__table__
    for offset in range(0, count, 2000):
        rows = [{"email": f"sub{n}@bench.example", "email_key": f"sub{n}@bench.example",
                 "scope": "all", "confirmed_at": now,
                 "created_at": now, "updated_at": now}
                for n in range(start + offset, start + min(offset + 2000, count))]
        db.session.execute(table.insert(), rows)
    db.session.commit()


def _raw_smtplib(port: int, counter, n: int, message: bytes, sink_pid: int) -> float:
    before, cpu = counter.value, (_cpu(os.getpid()), _cpu(sink_pid))
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(n):
            smtp.sendmail("status@localhost", [f"raw{i}@bench.example"], message)
    elapsed = time.perf_counter() - start
    assert counter.value - before == n
    print(f"  raw smtplib: {n / elapsed:.0f} msg/s; CPU per message: client "
          f"{(_cpu(os.getpid()) - cpu[0]) / n * 1e6:.0f} µs, sink {(_cpu(sink_pid) - cpu[1]) / n * 1e6:.0f} µs")
    return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--connections", type=int, help="MAIL_CONNECTIONS (default: the app's)")
    parser.add_argument("--batch-size", type=int, help="DELIVERY_BATCH_SIZE (default: the app's)")
    parser.add_argument("--no-pipelining", action="store_true", help="the sink does not offer PIPELINING")
    parser.add_argument("--profile", help="write cProfile stats of the worker's run to this file")
    args = parser.parse_args()

    port, counter, ready = _free_port(), multiprocessing.Value("i", 0), multiprocessing.Event()
    sink = multiprocessing.Process(target=_sink, args=(port, counter, ready, not args.no_pipelining),
                                   daemon=True)
    sink.start()
    ready.wait(10)
    instance = tempfile.mkdtemp(prefix="bench-email-")
    for key, env in (("DATABASE_URL", "BENCH_DATABASE_URL"), ("REDIS_URL", "BENCH_REDIS_URL")):
        os.environ.pop(key, None)
        if os.environ.get(env):
            os.environ[key] = os.environ[env]

    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from statuspage.entrypoint import build_app
    from statuspage.embedded_redis import stop as stop_redis
    from statuspage.extensions import db, redis_client
    from statuspage.models import EmailDelivery
    from statuspage.services import users
    from statuspage.services.context import SYSTEM
    from statuspage.worker import close_worker, make_worker

    overrides = {"MAIL_CONNECTIONS": args.connections} if args.connections else {}
    if args.batch_size:
        overrides["DELIVERY_BATCH_SIZE"] = args.batch_size
    app = build_app({"INSTANCE_PATH": instance, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                     "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, **overrides})
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

            _add_subscribers(db, 0, 10)
            _latency(client, raw, 3)  # warm up
            small = _latency(client, raw, args.requests)
            _forget_pending(db, redis_client)
            _add_subscribers(db, 10, args.subscribers - 10)
            large = _latency(client, raw, args.requests)
            _forget_pending(db, redis_client)
            # About the size of one of our notifications (text + HTML parts, ~3 KB).
            sample = ("Subject: bench\r\nFrom: status@localhost\r\n\r\n"
                      + ("x" * 76 + "\r\n") * 40).encode()
            raw_before = _raw_smtplib(port, counter, args.subscribers, sample, sink.pid)

            profiler = cProfile.Profile() if args.profile else None
            sent_before = counter.value
            cpu = (_cpu(os.getpid()), _cpu(sink.pid), _cpu(os.getpid(), slice(12, 13)))
            start = time.perf_counter()
            response = client.post("/api/incidents", json={"title": "Measured", "severity": "SEV1"},
                                   headers={"Authorization": f"Bearer {raw}"})
            assert response.status_code == 201
            worker = make_worker()
            if profiler:
                profiler.enable()
            worker.work(burst=True)
            if profiler:
                profiler.disable()
                profiler.dump_stats(args.profile)
            close_worker(worker)
            elapsed = time.perf_counter() - start
            cpu = (_cpu(os.getpid()) - cpu[0], _cpu(sink.pid) - cpu[1],
                   _cpu(os.getpid(), slice(12, 13)) - cpu[2])
            counts = dict(db.session.execute(select(EmailDelivery.status, func.count())
                                             .group_by(EmailDelivery.status)).all())
            delivered = counter.value - sent_before
            raw_after = _raw_smtplib(port, counter, args.subscribers, sample, sink.pid)
            raw_rate = (raw_before + raw_after) / 2
            ours = counts.get("SENT", 0) / elapsed
            print(f"database: {db.engine.dialect.name}; subscribers: {args.subscribers}; "
                  f"MAIL_CONNECTIONS={app.config['MAIL_CONNECTIONS']}; "
                  f"DELIVERY_BATCH_SIZE={app.config['DELIVERY_BATCH_SIZE']}; "
                  f"sink offers PIPELINING: {not args.no_pipelining}")
            print(f"POST /api/incidents latency, {10:>6} subscribers: median {small[0]:.1f} ms, p95 {small[1]:.1f} ms")
            print(f"POST /api/incidents latency, {args.subscribers:>6} subscribers: median {large[0]:.1f} ms, p95 {large[1]:.1f} ms")
            print(f"deliveries by status: {counts}; messages received by the sink: {delivered}")
            print(f"all {args.subscribers} SENT after {elapsed:.1f} s (one worker): {ours:.0f} msg/s; "
                  f"CPU per message: worker {cpu[0] / args.subscribers * 1e6:.0f} µs "
                  f"({cpu[2] / args.subscribers * 1e6:.0f} of it in the kernel), "
                  f"sink {cpu[1] / args.subscribers * 1e6:.0f} µs")
            print(f"raw smtplib, one reused connection: {raw_before:.0f} msg/s before ours, "
                  f"{raw_after:.0f} msg/s after (mean {raw_rate:.0f})")
            print(f"our rate / raw rate: {ours / raw_rate:.0%} (target >= 100%)")
    finally:
        if not os.environ.get("REDIS_URL"):
            stop_redis(instance)
        sink.terminate()


if __name__ == "__main__":
    main()
