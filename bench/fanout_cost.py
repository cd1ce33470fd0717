"""What one public event costs a web process holding N streams, and how long a page
load waits behind it.

    python bench/fanout_cost.py --streams 3000 --events 30

Starts one gevent web process as the Procfile does (``WEB_CONCURRENCY=1``; the embedded
default, or DATABASE_URL / REDIS_URL), opens N public streams from a separate gevent
client process that only counts what it reads, then posts E public incidents one at a
time. Right after each POST answers, a ``GET /status`` is sent: the event is being
written to N streams at that moment, so its latency is the wait a reader sees. Prints
the web process's CPU per event (minus the same run with no streams: the POST itself)
and per stream, and the page loads' p50 / p90 / max.
"""
from __future__ import annotations

import argparse
import json
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.sse_fanout import (Probe, _raise_nofile, bench_env, cpu_seconds, free_port,  # noqa: E402
                              migrate_and_authorise, percentile, start_server, stop_server,
                              worker_pids)


def client_worker(port: int, count: int) -> None:
    """Open ``count`` streams, report when all are open, then read until told to stop
    and print the bytes read."""
    from gevent import monkey

    monkey.patch_all()
    import gevent

    _raise_nofile()
    opened, total = [0], [0]

    def one() -> None:
        sock = socket.create_connection(("127.0.0.1", port), timeout=600)
        sock.sendall(b"GET /api/stream/public HTTP/1.1\r\nHost: bench\r\n\r\n")
        first = True
        while data := sock.recv(65536):
            if first:
                opened[0] += 1
                first = False
            total[0] += len(data)

    for n in range(count):
        gevent.spawn(one)
        if n % 50 == 49:
            gevent.sleep(0.02)
    while opened[0] < count:
        gevent.sleep(0.1)
    print("open", flush=True)
    select.select([sys.stdin], [], [])
    print(total[0], flush=True)


def measure(streams: int, events: int, gap: float) -> dict:
    instance = Path(tempfile.mkdtemp(prefix="fanout-cost-"))
    port = free_port()
    env = bench_env(instance, port, WEB_CONCURRENCY="1", WORKER_CONNECTIONS=str(streams + 200),
                    STREAM_MAX_CLIENTS=str(streams + 100), LOG_LEVEL="WARNING")
    auth = migrate_and_authorise(env)
    server = start_server(env)
    client = None
    try:
        (pid,) = worker_pids(server.pid)
        if streams:
            client = subprocess.Popen([sys.executable, __file__, "--client-worker", str(port), str(streams)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            assert client.stdout.readline().strip() == "open"
        writes, page = Probe(port, "POST", "/api/incidents", headers=auth), Probe(port, "GET", "/status")
        page.once()  # cached from here on, until the next public change
        time.sleep(1)
        cpu = cpu_seconds([pid])
        for n in range(events):
            writes.once(json.dumps({"title": f"fan-{n}", "severity": "SEV3"}))
            page.once()
            time.sleep(gap)
        cpu = cpu_seconds([pid]) - cpu
        read = 0
        if client:
            client.stdin.write("stop\n")
            client.stdin.flush()
            read = int(client.stdout.readline())
        return {"cpu_per_event": cpu / events, "page": page.latencies[1:], "write": writes.latencies,
                "bytes": read, "errors": writes.errors + page.errors}
    finally:
        if client:
            client.kill()
        stop_server(server, instance)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--client-worker":
        return client_worker(int(sys.argv[2]), int(sys.argv[3]))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=3000)
    parser.add_argument("--events", type=int, default=30)
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between events")
    args = parser.parse_args()
    _raise_nofile()
    base = measure(0, args.events, args.gap)
    full = measure(args.streams, args.events, args.gap)
    fan = full["cpu_per_event"] - base["cpu_per_event"]
    for name, run in (("no streams", base), (f"{args.streams} streams", full)):
        page, write = run["page"], run["write"]
        print(f"{name}: CPU per event {run['cpu_per_event'] * 1000:.1f} ms; POST p50 "
              f"{statistics.median(write) * 1000:.0f} ms max {max(write) * 1000:.0f} ms; /status right "
              f"after p50 {statistics.median(page) * 1000:.0f} ms p90 {percentile(page, 90) * 1000:.0f} ms "
              f"max {max(page) * 1000:.0f} ms; "
              f"errors {run['errors']}")
    print(f"fan-out: {fan * 1000:.1f} ms CPU per event, {fan / args.streams * 1e6:.1f} µs per stream; "
          f"{full['bytes']} bytes read by the clients")


if __name__ == "__main__":
    main()
