"""SSE fan-out benchmark: N public stream clients, then E events published through the API.

    python bench/sse_fanout.py --clients 1000
    python bench/sse_fanout.py --clients 5000 --client-procs 2
    python bench/sse_fanout.py --clients 20000 --client-procs 4 --writers 2

Clients refused a stream (503 past STREAM_MAX_CLIENTS) poll /api/public/status with
If-None-Match as the page's script does; with --writers, operators write and a reader
loads /status throughout, from before the connect storm to the end, each on a new
connection per request, or with --keep-alive on one kept open as browsers and proxies
with an upstream pool do (such a request never waits in the accept backlog). With
--stream-listener the web process listens for streams apart (``STREAM_BIND``) and the
clients' streams go there, as the documented proxy configs send them. The operators
declare internal incidents, or with --public-updates post public updates to one public
incident (each one reaches every reader and invalidates the cached pages).

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

def _read_response(sock) -> tuple[bytes, bytes]:
    """(head, body) of one ``Connection: close`` response."""
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body


def _header(head: bytes, name: bytes) -> bytes | None:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    return None


def client_worker(port: int, stream_port: int, count: int, expected: int) -> None:
    """Each client asks for a stream; refused (503), it polls /api/public/status with
    If-None-Match every poll_interval seconds (±20 %) as the page's script does."""
    from gevent import monkey

    monkey.patch_all()
    import random

    import gevent

    _raise_nofile()
    received: list[dict[int, float]] = [dict() for _ in range(count)]
    modes = ["none"] * count  # "stream", "poll", or "none" (never got an answer)
    counts = {"streaming": 0, "polling": 0, "polls": 0, "not_modified": 0, "retries": 0}

    def poll(got: dict, interval: float) -> None:
        etag = b""
        counts["polling"] += 1
        while len(got) < expected:
            gevent.sleep(interval * (0.8 + 0.4 * random.random()))
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=60)
                sock.sendall(b"GET /api/public/status HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n"
                             + (b"If-None-Match: " + etag + b"\r\n" if etag else b"") + b"\r\n")
                head, body = _read_response(sock)
                sock.close()
            except OSError:
                counts["poll_errors"] = counts.get("poll_errors", 0) + 1
                continue
            counts["polls"] += 1
            if head.startswith(b"HTTP/1.1 304"):
                counts["not_modified"] += 1
                continue
            now = time.time()
            etag = _header(head, b"etag") or b""
            for match in TITLE_RE.finditer(body):
                got.setdefault(int(match.group(1)), now)

    def one(slot: int) -> None:
        # A connection reset or refused before the stream opened (the accept backlog
        # overflowed in the storm) is retried after 1-3 s, as a browser's EventSource does.
        for _attempt in range(30):
            try:
                return attempt(slot)
            except OSError:
                if modes[slot] != "none":
                    return  # broken after it opened: whatever it missed counts as missed
                counts["retries"] += 1
                gevent.sleep(1 + 2 * random.random())

    def attempt(slot: int) -> None:
        sock = socket.create_connection(("127.0.0.1", stream_port), timeout=300)
        sock.sendall(b"GET /api/stream/public HTTP/1.1\r\nHost: bench\r\n"
                     b"Accept: text/event-stream\r\n\r\n")
        buf, opened = b"", False
        got = received[slot]
        while len(got) < expected:
            data = sock.recv(65536)
            if not data:
                if not opened:
                    raise ConnectionResetError("closed before an answer")
                break
            now = time.time()
            buf += data
            if not opened:
                head, sep, body = buf.partition(b"\r\n\r\n")
                if not sep:
                    continue
                if head.startswith(b"HTTP/1.1 503"):
                    length = int(_header(head, b"content-length") or 0)
                    while len(body) < length:
                        body += sock.recv(65536)
                    sock.close()
                    modes[slot] = "poll"
                    return poll(got, json.loads(body[:length])["poll_interval"])
                if b": stream open" not in body:
                    continue
                opened = True
                modes[slot] = "stream"
                counts["streaming"] += 1
            for match in TITLE_RE.finditer(buf):
                got.setdefault(int(match.group(1)), now)
            buf = buf[-200:]  # a frame split across reads is matched next time
        sock.close()

    def reporter() -> None:
        last = None
        while True:
            now = (counts["streaming"], counts["polling"])
            if now != last:
                last = now
                print(f"connected {now[0]} {now[1]}", flush=True)
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
    print("report " + json.dumps({"counts": counts, "modes": modes, "received": [
        {str(k): v for k, v in got.items()} for got in received]}), flush=True)


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


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def start_server(env: dict) -> subprocess.Popen:
    # A --bind given here replaces the config's: name every listener.
    binds = [f"127.0.0.1:{env['PORT']}"] + ([env["STREAM_BIND"]] if env.get("STREAM_BIND") else [])
    proc = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py",
                             *(f"--bind={bind}" for bind in binds), "wsgi:app"], cwd=ROOT, env=env,
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


def stop_server(server: subprocess.Popen | None, instance: Path) -> None:
    """Stop the web process (its whole group) and the embedded redis-server it started."""
    if server is not None:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    if not os.environ.get("REDIS_URL"):
        sys.path.insert(0, str(ROOT))
        from statuspage.embedded_redis import stop

        stop(str(instance))


def flask(env: dict, *args: str) -> str:
    return subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout


def bench_env(instance: Path, port: int, **overrides: str) -> dict:
    """The web process's environment: a fresh instance folder, and the per-address limits
    raised (every client of a bench comes from 127.0.0.1)."""
    return {**os.environ, "INSTANCE_PATH": str(instance), "PORT": str(port), "FLASK_APP": "wsgi",
            "SECRET_KEY": "bench", "STREAM_RATE_LIMIT": "100000 per minute",
            "RATELIMIT_WRITES": "100000 per minute", "STREAM_MAX_AGE_SECONDS": "600", **overrides}


def migrate_and_authorise(env: dict) -> dict:
    """Migrate the bench database, create an admin with a token; the headers to use it."""
    flask(env, "db", "upgrade")
    flask(env, "users", "create", "--email", "bench@example.com", "--name", "Bench", "--role",
          "admin", "--no-password")
    token = flask(env, "tokens", "create", "--email", "bench@example.com", "--name", "bench").split()[-1]
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def api_call(port: int, headers: dict, method: str, path: str, body: dict) -> dict:
    """One JSON API request; its parsed answer (raises on anything but 2xx)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, json.dumps(body), headers)
        response = conn.getresponse()
        data = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:200]!r}")
        return json.loads(data)
    finally:
        conn.close()


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


class Probe:
    """A thread timing one request again and again until stopped (operator writes, page loads)."""

    def __init__(self, port: int, method: str, path: str, body=None, headers=None, pause: float = 0.2,
                 keep_alive: bool = False):
        import threading

        self.port, self.method, self.path, self.body, self.headers = port, method, path, body, headers or {}
        self.pause, self.keep_alive = pause, keep_alive
        self._conn = None
        self.latencies: list[float] = []
        self.started: list[float] = []  # when each timed request began (to split by phase)
        self.errors = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "Probe":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(60)

    def once(self, body=None) -> float:
        """One timed request; a failure counts as an error and as its time spent."""
        t0 = time.time()
        try:
            status = self._exchange(body if body is not None else self.body)
            if status >= 400:
                self.errors += 1
        except OSError:
            self.errors += 1
        elapsed = time.time() - t0
        self.latencies.append(elapsed)
        self.started.append(t0)
        return elapsed

    def _exchange(self, body) -> int:
        """Send the request and read the answer; its status. With ``keep_alive`` the
        connection stays open for the next request, as a browser's (or a proxy's pool of
        upstream connections) does; one the server closed meanwhile is replaced once."""
        conn, reused = self._conn, self._conn is not None
        self._conn = None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(self.method, self.path, body=body, headers=self.headers)
            response = conn.getresponse()
            response.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close()
            if reused:
                return self._exchange(body)  # on a new connection
            raise
        if self.keep_alive and not response.will_close:
            self._conn = conn
        else:
            conn.close()
        return response.status

    def between(self, start: float, end: float) -> list[float]:
        """The latencies of the requests that began in [start, end)."""
        return [x for t, x in zip(self.started, self.latencies) if start <= t < end]

    def _run(self) -> None:
        n = 0
        while not self._stop.is_set():
            n += 1
            self.once(self.body(n) if callable(self.body) else None)
            self._stop.wait(self.pause)


def summary(values: list[float]) -> str:
    if not values:
        return "n=0"
    return (f"n={len(values)} p50={statistics.median(values) * 1000:.0f} ms "
            f"p99={percentile(values, 99) * 1000:.0f} ms max={max(values) * 1000:.0f} ms")


def run(args) -> None:
    _raise_nofile()
    instance = Path(tempfile.mkdtemp(prefix="sse-bench-"))
    port = free_port()
    stream_port = free_port() if args.stream_listener else port
    env = bench_env(instance, port, **({"STREAM_BIND": f"127.0.0.1:{stream_port}"}
                                       if args.stream_listener else {}))
    clients: list[subprocess.Popen] = []
    probes: list[Probe] = []
    server = None
    load_start = os.getloadavg()[0]
    try:
        auth = migrate_and_authorise(env)
        server = start_server(env)
        time.sleep(1)
        workers = worker_pids(server.pid)
        rss_before = sum(rss_kib(p) for p in workers)
        # Operators keep writing (not part of the counted public events) and readers keep
        # loading /status from before the storm until the end.
        write_path, write_body = "/api/incidents", lambda n, w: {
            "title": f"write-{w}-{n}", "severity": "SEV4", "visibility": "internal"}
        if args.public_updates and args.writers:
            outage = api_call(port, auth, "POST", "/api/incidents",
                              {"title": "Ongoing outage", "severity": "SEV2"})
            write_path = f"/api/incidents/{outage['id']}/updates"
            write_body = lambda n, w: {"body": f"Update {w}-{n}: still working on it."}  # noqa: E731
        for w in range(args.writers):
            probes.append(Probe(port, "POST", write_path, headers=auth, pause=args.write_interval,
                                body=lambda n, w=w: json.dumps(write_body(n, w)),
                                keep_alive=args.keep_alive).start())
        page = Probe(port, "GET", "/status", pause=0.2, keep_alive=args.keep_alive).start() if args.writers else None
        per_proc = [args.clients // args.client_procs + (i < args.clients % args.client_procs)
                    for i in range(args.client_procs)]
        t0 = time.time()
        cpu_start = cpu_seconds(workers)
        for n in per_proc:
            clients.append(subprocess.Popen(
                [sys.executable, __file__, "--client-worker", str(port), str(stream_port), str(n),
                 str(args.events)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
        connected = [(0, 0)] * len(clients)
        deadline = time.time() + args.connect_timeout
        while sum(map(sum, connected)) < args.clients and time.time() < deadline:
            for i, proc in enumerate(clients):
                if select.select([proc.stdout], [], [], 0.1)[0]:
                    line = proc.stdout.readline()
                    if line.startswith("connected"):
                        connected[i] = tuple(int(x) for x in line.split()[1:3])
        connect_seconds = time.time() - t0
        storm_end = time.time()
        cpu_storm = cpu_seconds(workers) - cpu_start
        time.sleep(1)
        rss_after = sum(rss_kib(p) for p in workers)
        redis_conns = redis_clients(env)

        events = Probe(port, "POST", "/api/incidents", headers=auth)
        sent: dict[int, float] = {}
        for i in range(args.events):
            sent[i] = time.time()
            events.once(json.dumps({"title": f"bench-{i}", "severity": "SEV3"}))
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
            reports.append(json.loads(line[len("report "):]) if line else None)
        for probe in probes + ([page] if page else []):
            probe.stop()
        latency = {"stream": [], "poll": []}
        missed = {"stream": 0, "poll": 0, "none": 0}
        attempted = {"stream": 0, "poll": 0, "none": 0}
        polls = not_modified = 0
        for report in reports:
            if report is None:
                continue
            polls += report["counts"]["polls"]
            not_modified += report["counts"]["not_modified"]
            for mode, got in zip(report["modes"], report["received"]):
                attempted[mode] += 1
                for i in range(args.events):
                    if str(i) in got:
                        latency[mode].append(got[str(i)] - sent[i])
                    else:
                        missed[mode] += 1
        lost = args.clients - sum(attempted.values())
        streamed = sum(c[0] for c in connected)
        print(f"clients={args.clients} streaming={streamed} polling={sum(c[1] for c in connected)} "
              f"no-answer={attempted['none'] + lost} answered in {connect_seconds:.1f}s "
              f"web_workers={len(workers)} events={args.events} load {load_start:.1f} -> {os.getloadavg()[0]:.1f}")
        retries = sum(r["counts"]["retries"] for r in reports if r)
        poll_errors = sum(r["counts"].get("poll_errors", 0) for r in reports if r)
        print(f"connection attempts retried (reset/refused before an answer): {retries}; "
              f"failed polls: {poll_errors}")
        print(f"stream delivery latency: {summary(latency['stream'])}")
        print(f"streamed missed events: {missed['stream']} of {attempted['stream'] * args.events}")
        if attempted["poll"]:
            print(f"poll visibility latency (interval {env.get('STREAM_POLL_SECONDS', '10')} s +-20 %): "
                  f"{summary(latency['poll'])}; polls {polls}, 304 {not_modified}")
            print(f"polled missed events: {missed['poll']} of {attempted['poll'] * args.events}")
        print(f"event POSTs: {summary(events.latencies)} errors={events.errors}")
        if args.writers:
            writes = [x for p in probes for x in p.latencies] + events.latencies
            print(f"operator writes (all, {args.writers} writer(s) + events): {summary(writes)} "
                  f"errors={sum(p.errors for p in probes) + events.errors}")
            print(f"GET /status: {summary(page.latencies)} errors={page.errors}")
            # The connect storm (every client asking at once) against the time after it,
            # when streams and polls are only being served.
            for name, start, end in (("during the connect storm", t0, storm_end),
                                     ("after it", storm_end, float("inf"))):
                phase_writes = [x for p in probes + [events] for x in p.between(start, end)]
                print(f"  {name}: writes {summary(phase_writes)}; "
                      f"GET /status {summary(page.between(start, end))}")
        print(f"web CPU in the connect storm: {cpu_storm:.1f} s for {args.clients} clients "
              f"= {cpu_storm / args.clients * 1000:.2f} ms each")
        print(f"server RSS: {rss_before / 1024:.0f} MiB idle -> {rss_after / 1024:.0f} MiB connected "
              f"= {(rss_after - rss_before) / max(1, streamed):.1f} KiB per stream")
        print(f"redis connected_clients while streaming: {redis_conns}")
    finally:
        for probe in probes:
            probe._stop.set()
        for proc in clients:
            if proc.poll() is None:
                proc.kill()
        stop_server(server, instance)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--client-worker":
        client_worker(*map(int, sys.argv[2:6]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between events")
    parser.add_argument("--connect-timeout", type=float, default=180)
    parser.add_argument("--grace", type=float, default=30, help="seconds to wait for stragglers")
    parser.add_argument("--writers", type=int, default=0,
                        help="operator threads writing (and one reader loading /status) during the run")
    parser.add_argument("--write-interval", type=float, default=0.5, help="seconds between a writer's writes")
    parser.add_argument("--keep-alive", action="store_true",
                        help="writers and the /status reader reuse their connection, as browsers do")
    parser.add_argument("--stream-listener", action="store_true",
                        help="streams connect to a listener of their own (STREAM_BIND), as the "
                             "documented proxy configs send them")
    parser.add_argument("--public-updates", action="store_true",
                        help="writers post public updates to one public incident (default: internal incidents)")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
