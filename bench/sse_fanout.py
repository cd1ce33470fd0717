"""SSE fan-out benchmark: N public stream clients, then E events published through the API.

    python bench/sse_fanout.py --clients 1000
    python bench/sse_fanout.py --clients 5000 --client-procs 2

Starts the web process exactly as the Procfile does (``gunicorn -c gunicorn.conf.py
wsgi:app``, gevent, WEB_CONCURRENCY workers) on a free port with a fresh instance
folder (the embedded default: SQLite + embedded Redis; set DATABASE_URL / REDIS_URL
to bench against servers). Clients are raw sockets in gevent client processes.
Prints delivery latency (POST sent → event read by a client) p50/p99/max, missed
events, server memory per connection and the Redis connection count.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import select
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TITLE_RE = re.compile(rb'"title":"bench-(\d+)"')


# -- client worker (a separate process, gevent) -------------------------------------

def client_worker(port: int, count: int, expected: int) -> None:
    from gevent import monkey

    monkey.patch_all()
    import gevent

    _raise_nofile()
    received: list[dict[int, float]] = [dict() for _ in range(count)]
    connected = [0]

    def one(slot: int) -> None:
        sock = socket.create_connection(("127.0.0.1", port), timeout=300)
        sock.sendall(b"GET /api/stream/public HTTP/1.1\r\nHost: bench\r\n"
                     b"Accept: text/event-stream\r\n\r\n")
        buf, opened = b"", False
        got = received[slot]
        while len(got) < expected:
            data = sock.recv(65536)
            if not data:
                break
            now = time.time()
            buf += data
            if not opened and b": stream open" in buf:
                opened = True
                connected[0] += 1
            for match in TITLE_RE.finditer(buf):
                got.setdefault(int(match.group(1)), now)
            buf = buf[-200:]  # a frame split across reads is matched next time
        sock.close()

    def reporter() -> None:
        last = -1
        while True:
            if connected[0] != last:
                last = connected[0]
                print(f"connected {last}", flush=True)
            gevent.sleep(0.2)

    greenlets = []
    for slot in range(count):
        greenlets.append(gevent.spawn(one, slot))
        if slot % 50 == 49:
            gevent.sleep(0.01)  # a connect storm, but not a SYN flood
    gevent.spawn(reporter)
    # Stop when every client has everything, or when the coordinator says so.
    stop = gevent.spawn(lambda: select.select([sys.stdin], [], []) and sys.stdin.readline())
    _wait_any(greenlets, stop)
    print("report " + json.dumps([{str(k): v for k, v in got.items()} for got in received]),
          flush=True)


def _wait_any(greenlets, stop) -> None:
    import gevent

    while not stop.ready():
        if all(g.ready() for g in greenlets):
            return
        gevent.sleep(0.1)


def _raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# -- coordinator -----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def start_server(env: dict) -> subprocess.Popen:
    proc = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--bind",
                             f"127.0.0.1:{env['PORT']}", "wsgi:app"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=open(Path(env["INSTANCE_PATH"]) / "web.log", "w"),
                            start_new_session=True)
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", int(env["PORT"]), timeout=2)
            conn.request("GET", "/api/openapi.json")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start; see web.log in " + env["INSTANCE_PATH"])


def flask(env: dict, *args: str) -> str:
    return subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout


def redis_clients(env: dict) -> int:
    sys.path.insert(0, str(ROOT))
    import redis

    from statuspage.embedded_redis import SOCKET_NAME

    url = env.get("REDIS_URL") or f"unix://{Path(env['INSTANCE_PATH']).resolve() / SOCKET_NAME}"
    with redis.Redis.from_url(url) as client:
        return int(client.info("clients")["connected_clients"])


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def run(args) -> None:
    _raise_nofile()
    instance = Path(tempfile.mkdtemp(prefix="sse-bench-"))
    port = free_port()
    env = {**os.environ, "INSTANCE_PATH": str(instance), "PORT": str(port), "FLASK_APP": "wsgi",
           "SECRET_KEY": "bench", "STREAM_RATE_LIMIT": "100000 per minute",
           "RATELIMIT_WRITES": "100000 per minute", "STREAM_MAX_AGE_SECONDS": "600"}
    flask(env, "db", "upgrade")
    flask(env, "users", "create", "--email", "bench@example.com", "--name", "Bench", "--role", "admin")
    token = flask(env, "tokens", "create", "--email", "bench@example.com", "--name", "bench").split()[-1]
    server = start_server(env)
    clients: list[subprocess.Popen] = []
    try:
        time.sleep(1)
        workers = worker_pids(server.pid)
        rss_before = sum(rss_kib(p) for p in workers)
        per_proc = [args.clients // args.client_procs + (i < args.clients % args.client_procs)
                    for i in range(args.client_procs)]
        t0 = time.time()
        for n in per_proc:
            clients.append(subprocess.Popen(
                [sys.executable, __file__, "--client-worker", str(port), str(n), str(args.events)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
        connected = [0] * len(clients)
        deadline = time.time() + args.connect_timeout
        while sum(connected) < args.clients and time.time() < deadline:
            for i, proc in enumerate(clients):
                if select.select([proc.stdout], [], [], 0.1)[0]:
                    line = proc.stdout.readline()
                    if line.startswith("connected"):
                        connected[i] = int(line.split()[1])
        connect_seconds = time.time() - t0
        time.sleep(1)
        rss_after = sum(rss_kib(p) for p in workers)
        redis_conns = redis_clients(env)

        sent: dict[int, float] = {}
        for i in range(args.events):
            body = json.dumps({"title": f"bench-{i}", "severity": "SEV3"})
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            sent[i] = time.time()
            conn.request("POST", "/api/incidents", body=body, headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            assert conn.getresponse().status == 201
            conn.close()
            time.sleep(args.interval)

        reports = []
        grace_end = time.time() + args.grace
        for proc in clients:
            line = ""
            while not line.startswith("report "):
                if time.time() > grace_end and proc.stdin and not proc.stdin.closed:
                    proc.stdin.write("stop\n")
                    proc.stdin.flush()
                    proc.stdin.close()
                if select.select([proc.stdout], [], [], 0.5)[0]:
                    line = proc.stdout.readline()
                    if line == "":
                        break
            reports.extend(json.loads(line[len("report "):]) if line else [])
        latencies, missed = [], 0
        for got in reports:
            for i in range(args.events):
                if str(i) in got:
                    latencies.append(got[str(i)] - sent[i])
                else:
                    missed += 1
        missed += (args.clients - len(reports)) * args.events
        print(f"clients={args.clients} connected={sum(connected)} in {connect_seconds:.1f}s "
              f"web_workers={len(workers)} events={args.events}")
        if latencies:
            print(f"delivery latency: p50={statistics.median(latencies) * 1000:.0f} ms "
                  f"p99={percentile(latencies, 99) * 1000:.0f} ms max={max(latencies) * 1000:.0f} ms")
        print(f"missed events: {missed} of {args.clients * args.events}")
        print(f"server RSS: {rss_before / 1024:.0f} MiB idle -> {rss_after / 1024:.0f} MiB connected "
              f"= {(rss_after - rss_before) / max(1, sum(connected)):.1f} KiB per connection")
        print(f"redis connected_clients while streaming: {redis_conns}")
    finally:
        for proc in clients:
            if proc.poll() is None:
                proc.kill()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        if not os.environ.get("REDIS_URL"):
            sys.path.insert(0, str(ROOT))
            from statuspage.embedded_redis import stop

            stop(str(instance))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--client-worker":
        client_worker(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between events")
    parser.add_argument("--connect-timeout", type=float, default=180)
    parser.add_argument("--grace", type=float, default=30, help="seconds to wait for stragglers")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
