"""Benchmark the public status endpoints against the framework floor.

Seeds the demo data in a scratch instance, starts the web process as in the
Procfile (gunicorn -c gunicorn.conf.py) and, with the same settings, a minimal
Flask app returning the same bytes from memory (the floor). Loads each with
wrk and prints req/s, p99 and the ratio to the floor; then the same endpoints
with the public cache off (every request rendered from the database).

    python bench/public_status.py [--duration 5] [--connections 64]
        [--worker-class gevent|sync|gthread] [--workers 2] [--threads 8]

Uses DATABASE_URL / REDIS_URL when set, else the embedded default in a
temporary instance folder. Needs `wrk` (apt-get install wrk). Keep runs short
on shared machines.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ENDPOINTS = [("/api/public/status", "status.json"), ("/api/v2/summary.json", "summary.json"),
             ("/status", "status.html")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if proc.poll() is not None:
                sys.exit(f"server exited: {url}")
            time.sleep(0.3)
    sys.exit(f"server did not start: {url}")


def gunicorn(app: str, port: int, env: dict, args) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}",
           "-w", str(args.workers), app]
    if args.worker_class != "gevent":  # "gevent": the Procfile's worker (gunicorn.conf.py)
        cmd[-1:-1] = ["-k", args.worker_class]
    if args.worker_class == "gthread":
        cmd[-1:-1] = ["--threads", str(args.threads)]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def wrk(url: str, args) -> tuple[float, float, int]:
    out = subprocess.run(["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return rps, float(value) * _UNITS[unit], errors


SNAPSHOT_PATHS = {"/api/public/status": "/api/public/status", "/api/v2/summary.json": "/api/v2/summary.json",
                  "/status": "/status/"}


def nginx(root: Path, scratch: Path, workers: int, site: str | None = None) -> tuple[subprocess.Popen, int]:
    """Debian's nginx serving ``root`` as plain files, or with ``site`` (a server block)."""
    port = free_port()
    prefix = scratch / f"nginx-{port}"
    (prefix / "temp").mkdir(parents=True)
    server = site or f"server {{ listen 127.0.0.1:{port}; root {root}; default_type application/json; }}"
    server = server.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    (prefix / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\nworker_processes {workers};\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\n"
        "events { worker_connections 1024; }\nhttp {\n include /etc/nginx/mime.types;\n access_log off;\n"
        + "".join(f" {k}_temp_path {prefix}/temp/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + server + "\n}\n")
    proc = subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--worker-class", default="gevent")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")

    scratch = Path(tempfile.mkdtemp(prefix="bench-public-"))
    env = {**os.environ, "INSTANCE_PATH": str(scratch), "FLASK_APP": "wsgi", "SECRET_KEY": "bench",
           "FLOOR_DIR": str(scratch / "floor")}
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    subprocess.run([sys.executable, "-m", "flask", "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)

    procs = []
    try:
        port = free_port()
        web = gunicorn("wsgi:app", port, env, args)
        procs.append(web)
        base = f"http://127.0.0.1:{port}"
        wait_up(base + "/status", web)
        (scratch / "floor").mkdir()
        for path, name in ENDPOINTS:
            (scratch / "floor" / name).write_bytes(urllib.request.urlopen(base + path).read())
        floor_port = free_port()
        floor = gunicorn("bench.floor_app:app", floor_port, env, args)
        procs.append(floor)
        floor_base = f"http://127.0.0.1:{floor_port}"
        wait_up(floor_base + "/status.json", floor)

        print(f"gunicorn -k {args.worker_class} -w {args.workers}"
              + (f" --threads {args.threads}" if args.worker_class == "gthread" else "")
              + f"; wrk -t2 -c{args.connections} -d{args.duration}s")
        print(f"{'endpoint':28} {'bytes':>7} {'req/s':>8} {'p99 ms':>8} {'floor req/s':>11} "
              f"{'floor p99':>9} {'ratio':>6} {'errors':>6}")
        for path, name in ENDPOINTS:
            size = (scratch / "floor" / name).stat().st_size
            f_rps, f_p99, f_err = wrk(f"{floor_base}/{name}", args)
            rps, p99, err = wrk(base + path, args)
            print(f"{path + ' (cached)':28} {size:7d} {rps:8.0f} {p99:8.1f} {f_rps:11.0f} {f_p99:9.1f} "
                  f"{rps / f_rps:6.0%} {err + f_err:6d}")

        if shutil.which("nginx"):
            copy = scratch / "snapshot"
            subprocess.run([sys.executable, "-m", "flask", "export-static", str(copy)], cwd=ROOT, env=env,
                           check=True, capture_output=True)
            site = ((ROOT / "docs" / "nginx-static-snapshot.conf").read_text()
                    .replace("/srv/statuspage/snapshot", str(copy))
                    .replace("server 127.0.0.1:5000;", f"server 127.0.0.1:{port};"))
            same, same_port = nginx(scratch / "floor", scratch, args.workers)
            snap, snap_port = nginx(copy, scratch, args.workers, site)
            procs += [same, snap]
            wait_up(f"http://127.0.0.1:{same_port}/status.json", same)
            wait_up(f"http://127.0.0.1:{snap_port}/status/", snap)
            print(f"nginx, {args.workers} worker processes: the same bytes from disk, and the static "
                  "snapshot with docs/nginx-static-snapshot.conf")
            print(f"{'endpoint':28} {'app req/s':>9} {'same bytes':>10} {'app/nginx':>9} {'snapshot':>9} "
                  f"{'snap p99':>8} {'app/snap':>8} {'errors':>6}")
            for path, name in ENDPOINTS:
                rps, _p99, err = wrk(base + path, args)
                n_rps, _n_p99, n_err = wrk(f"http://127.0.0.1:{same_port}/{name}", args)
                s_rps, s_p99, s_err = wrk(f"http://127.0.0.1:{snap_port}{SNAPSHOT_PATHS[path]}", args)
                print(f"{path:28} {rps:9.0f} {n_rps:10.0f} {rps / n_rps:9.0%} {s_rps:9.0f} {s_p99:8.1f} "
                      f"{rps / s_rps:8.0%} {err + n_err + s_err:6d}")
        else:
            print("nginx is missing (apt-get install -y nginx): no nginx figures")

        stop(web)
        procs.remove(web)
        web = gunicorn("wsgi:app", port, {**env, "PUBLIC_CACHE": "false"}, args)
        procs.append(web)
        wait_up(base + "/status", web)
        for path, _name in ENDPOINTS:
            rps, p99, err = wrk(base + path, args)
            print(f"{path + ' (uncached)':28} {'':7} {rps:8.0f} {p99:8.1f} {'':11} {'':9} {'':6} {err:6d}")
    finally:
        from statuspage.embedded_redis import stop as stop_redis

        for proc in procs:
            stop(proc)
        stop_redis(str(scratch))  # the instance's redis-server outlives the processes that used it
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
