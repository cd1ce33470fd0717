"""Mixed load against the Procfile setup: public readers, SSE listeners and responders.

    python bench/load_mix.py                          # 500 readers, 1000 listeners, 120 s
    python bench/load_mix.py --duration 30 --readers 100 --listeners 200   # a short run

Starts ``web`` (gunicorn -c gunicorn.conf.py, gevent) and ``worker`` (flask worker)
exactly as the Procfile does, on a free port with a fresh instance folder (the
embedded default: SQLite + embedded Redis; set DATABASE_URL / REDIS_URL to use
servers) and demo data. Readers loop over a public page with a think time;
listeners hold /api/stream/public open (reconnecting with Last-Event-ID, as
browsers do); responders post timeline updates. Prints the error rate and the
p50/p95/p99 of public requests, and whether every listener received every event.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from sse_fanout import _raise_nofile, flask, free_port, percentile, start_server  # noqa: E402

MARK_RE = re.compile(rb"load-(\d+)-")
PUBLIC_CANDIDATES = ("/status", "/api/public/status", "/api/v2/summary.json", "/subscriptions/")


# -- client process (gevent) ------------------------------------------------------------

def client_process(port: int, path: str, readers: int, listeners: int, think: float) -> None:
    from gevent import monkey

    monkey.patch_all()
    import gevent

    _raise_nofile()
    stop = [False]
    latencies: list[float] = []
    errors = {"read": 0, "sse_connect": 0}
    seen: list[set] = [set() for _ in range(listeners)]
    reconnects = [0]

    def reader(slot: int) -> None:
        gevent.sleep(think * slot / max(1, readers))  # spread the first wave
        conn = None
        while not stop[0]:
            try:
                conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                started = time.perf_counter()
                conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
                response = conn.getresponse()
                response.read()
                latencies.append(time.perf_counter() - started)
                if response.status != 200:
                    errors["read"] += 1
            except (OSError, http.client.HTTPException):
                errors["read"] += 1
                conn = None
            gevent.sleep(think)

    def listener(slot: int) -> None:
        last_id = None
        while not stop[0]:
            try:
                sock = __import__("socket").create_connection(("127.0.0.1", port), timeout=60)
                extra = f"Last-Event-ID: {last_id}\r\n" if last_id else ""
                sock.sendall(f"GET /api/stream/public HTTP/1.1\r\nHost: bench\r\n"
                             f"Accept: text/event-stream\r\n{extra}\r\n".encode())
                buf = b""
                while not stop[0]:
                    data = sock.recv(65536)
                    if not data:
                        break
                    buf += data
                    *frames, buf = buf.split(b"\n\n")
                    for frame in frames:
                        for match in MARK_RE.finditer(frame):
                            seen[slot].add(int(match.group(1)))
                        for line in frame.split(b"\n"):
                            if line.startswith(b"id: ") and len(line) > 4:
                                last_id = line[4:].decode()
                sock.close()
                if not stop[0]:
                    reconnects[0] += 1
            except OSError:
                errors["sse_connect"] += 1
                gevent.sleep(1)

    greenlets = [gevent.spawn(listener, n) for n in range(listeners)]
    gevent.sleep(0)
    greenlets += [gevent.spawn(reader, n) for n in range(readers)]
    print("ready", flush=True)
    # The coordinator writes "stop" on stdin when the run is over.
    gevent.spawn(lambda: select.select([sys.stdin], [], []) and sys.stdin.readline()).join()
    stop[0] = True
    gevent.sleep(0.5)
    print("report " + json.dumps({"latencies": latencies, "errors": errors, "reconnects": reconnects[0],
                                  "seen": [sorted(s) for s in seen]}), flush=True)
    os._exit(0)


# -- coordinator --------------------------------------------------------------------------

def _request(port, method, path, token=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def responders(port, token, count, interval, duration, posted: list[int], failures: list[int]):
    incidents = []
    for n in range(count):
        status, data = _request(port, "POST", "/api/incidents", token,
                                {"title": f"Responder {n} incident", "severity": "SEV2"})
        assert status == 201, data
        incidents.append(json.loads(data)["id"])
    counter = iter(range(10**9))
    lock = threading.Lock()
    end = time.monotonic() + duration

    def run(incident_id):
        while time.monotonic() < end:
            with lock:
                n = next(counter)
            status, _ = _request(port, "POST", f"/api/incidents/{incident_id}/updates", token,
                                 {"body": f"load-{n}- still investigating"})
            (posted if status == 201 else failures).append(n)
            time.sleep(interval)

    threads = [threading.Thread(target=run, args=(i,)) for i in incidents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run(args) -> None:
    _raise_nofile()
    instance = Path(tempfile.mkdtemp(prefix="load-mix-"))
    port = free_port()
    env = {**os.environ, "INSTANCE_PATH": str(instance), "PORT": str(port), "FLASK_APP": "wsgi",
           "SECRET_KEY": "bench", "STREAM_RATE_LIMIT": "100000 per minute", "LOG_LEVEL": "WARNING",
           "RATELIMIT_WRITES": "100000 per minute", "STREAM_MAX_AGE_SECONDS": "600"}
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")
    flask(env, "users", "create", "--email", "load@example.com", "--name", "Load", "--role", "responder")
    token = flask(env, "tokens", "create", "--email", "load@example.com", "--name", "load").split()[-1]
    server = start_server(env)
    worker = subprocess.Popen([str(Path(sys.executable).parent / "flask"), "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=open(instance / "worker.log", "w"),
                              start_new_session=True)
    path = args.path or next((p for p in PUBLIC_CANDIDATES if _request(port, "GET", p)[0] == 200))
    clients = []
    try:
        per = lambda total, i: total // args.client_procs + (i < total % args.client_procs)  # noqa: E731
        for i in range(args.client_procs):
            clients.append(subprocess.Popen(
                [sys.executable, __file__, "--client", str(port), path, str(per(args.readers, i)),
                 str(per(args.listeners, i)), str(args.think)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
        for proc in clients:
            assert proc.stdout.readline().strip() == "ready"
        reading_since = time.monotonic()
        time.sleep(args.warmup)  # listeners connect before the first event
        posted, failures = [], []
        started = time.monotonic()
        responders(port, token, args.responders, args.post_interval, args.duration, posted, failures)
        elapsed = time.monotonic() - started
        time.sleep(args.grace)  # the last events reach every listener
        reading = time.monotonic() - reading_since
        reports = []
        for proc in clients:
            proc.stdin.write("stop\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
            while line and not line.startswith("report "):
                line = proc.stdout.readline()
            reports.append(json.loads(line[len("report "):]))
        latencies = [v for r in reports for v in r["latencies"]]
        read_errors = sum(r["errors"]["read"] for r in reports)
        expected = set(posted)
        listeners = [set(s) for r in reports for s in r["seen"]]
        missed = sum(len(expected - got) for got in listeners)
        complete = sum(1 for got in listeners if expected <= got)
        errors = read_errors + len(failures)
        requests = max(1, len(latencies) + read_errors + len(posted) + len(failures))
        print(f"setup: web WEB_CONCURRENCY={env.get('WEB_CONCURRENCY', '2')} (gevent) + flask worker, "
              f"db={'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'sqlite'}, public path {path}")
        print(f"load: {args.readers} readers (think {args.think}s), {args.listeners} SSE listeners, "
              f"{args.responders} responders every {args.post_interval}s for {elapsed:.0f}s")
        print(f"public requests: {len(latencies)} ({len(latencies) / reading:.0f}/s over {reading:.0f}s), errors {read_errors}")
        if latencies:
            print(f"public latency: p50={percentile(latencies, 50) * 1000:.0f} ms "
                  f"p95={percentile(latencies, 95) * 1000:.0f} ms p99={percentile(latencies, 99) * 1000:.0f} ms")
        print(f"updates posted: {len(posted)}, failed: {len(failures)}")
        print(f"error rate: {100 * errors / requests:.3f}% of {requests} requests")
        print(f"SSE: {complete}/{len(listeners)} listeners received all {len(expected)} events; "
              f"missed {missed}; reconnects {sum(r['reconnects'] for r in reports)}; "
              f"connect errors {sum(r['errors']['sse_connect'] for r in reports)}")
    finally:
        for proc in clients:
            if proc.poll() is None:
                proc.kill()
        for proc in (worker, server):
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)
        if not os.environ.get("REDIS_URL"):
            from statuspage.embedded_redis import stop

            stop(str(instance))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        port, path, readers, listeners, think = sys.argv[2:7]
        client_process(int(port), path, int(readers), int(listeners), float(think))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=500)
    parser.add_argument("--listeners", type=int, default=1000)
    parser.add_argument("--responders", type=int, default=3)
    parser.add_argument("--duration", type=float, default=120, help="seconds of posting")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between a reader's requests")
    parser.add_argument("--post-interval", type=float, default=2.0, help="seconds between a responder's posts")
    parser.add_argument("--path", help="public page to read (default: the first one served of "
                        + ", ".join(PUBLIC_CANDIDATES) + ")")
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--grace", type=float, default=10)
    sys.path.insert(0, str(ROOT))
    run(parser.parse_args())


if __name__ == "__main__":
    main()
