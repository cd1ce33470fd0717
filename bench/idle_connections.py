"""Readers' idle kept-alive connections on a full web process: does a new connection wait?

    python bench/idle_connections.py [--slots 100] [--streams 60] [--readers 45]

One gevent web process (the Procfile's worker, ``WORKER_CONNECTIONS=--slots``) holds
``--streams`` public streams; then ``--readers`` readers each load ``/api/public/status``
on a connection of their own and leave it open, as a browser does after a page load.
Prints how long the slowest reader waited, whether the last one's connection was kept
open, and how long a page load on a new connection took after them. With every slot
taken, a new connection waits in the accept backlog until an idle one times out
(gunicorn's ``keepalive``, 5 s).
"""
from __future__ import annotations

import argparse
import http.client
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.sse_fanout import (bench_env, free_port, migrate_and_authorise, start_server,  # noqa: E402
                              stop_server)


def _load(port: int, path: str) -> tuple[http.client.HTTPConnection, bool, float]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return conn, not response.will_close, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slots", type=int, default=100)
    parser.add_argument("--streams", type=int, default=60)
    parser.add_argument("--readers", type=int, default=45)
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="idle-bench-"))
    port = free_port()
    env = bench_env(instance, port, WORKER_CONNECTIONS=str(args.slots), WEB_CONCURRENCY="1",
                    STREAM_MAX_CLIENTS=str(args.streams))
    migrate_and_authorise(env)
    server = start_server(env)
    held: list = []
    try:
        for _ in range(args.streams):
            stream = socket.create_connection(("127.0.0.1", port))
            stream.sendall(b"GET /api/stream/public HTTP/1.1\r\nHost: bench\r\n\r\n")
            held.append(stream)
        time.sleep(1)
        waits, kept = [], False
        for _ in range(args.readers):
            conn, kept, waited = _load(port, "/api/public/status")
            held.append(conn)
            waits.append(waited)
        _, _, fresh = _load(port, "/status")
        print(f"{args.slots} slots, {args.streams} streams, {args.readers} readers: slowest reader "
              f"{max(waits) * 1000:.0f} ms, last reader's connection kept open: {kept}, "
              f"a new connection's /status: {fresh * 1000:.0f} ms")
    finally:
        for item in held:
            item.close()
        stop_server(server, instance)


if __name__ == "__main__":
    main()
