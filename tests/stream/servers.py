"""Start real server processes (gunicorn with gevent, the RQ worker, redis-server) for tests."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(instance_path, **overrides) -> dict:
    """The environment of the test app, so servers share its database and Redis."""
    env = dict(os.environ)
    env.update({
        "INSTANCE_PATH": str(instance_path),
        "SECRET_KEY": "test-secret",
        "FLASK_APP": "wsgi",
        "STREAM_HEARTBEAT_SECONDS": "1",
        "STREAM_RATE_LIMIT": "10000 per minute",
        "RATELIMIT_WRITES": "10000 per minute",
        "RELAY_INTERVAL_SECONDS": "0.5",
        "WEB_CONCURRENCY": "1",
        "WORKER_CONNECTIONS": "200",
        "PYTHONUNBUFFERED": "1",
    })
    env.update({k: str(v) for k, v in overrides.items()})
    return env


class Process:
    def __init__(self, args: list[str], env: dict, log_path: Path):
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


class _PortTaken(Exception):
    pass


class WebServer(Process):
    """``gunicorn -c gunicorn.conf.py wsgi:app`` exactly as the Procfile runs it; with
    ``stream_listener``, also listening for streams on ``stream_port`` (``STREAM_BIND``)."""

    def __init__(self, env: dict, log_dir: Path, attempts: int = 3, stream_listener: bool = False):
        for attempt in range(1, attempts + 1):
            self.port = free_port()
            self.stream_port = free_port() if stream_listener else None
            env = {**env, "PORT": str(self.port)}
            if stream_listener:
                env["STREAM_BIND"] = f"127.0.0.1:{self.stream_port}"
            # A --bind given here replaces the config's: name every listener.
            binds = [f"--bind=127.0.0.1:{self.port}"] + (
                [f"--bind={env['STREAM_BIND']}"] if stream_listener else [])
            super().__init__([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", *binds, "wsgi:app"],
                             env, log_dir / f"gunicorn-{self.port}.log")
            try:
                self._wait_ready()
                return
            except _PortTaken:
                self.stop()
                if attempt == attempts:
                    raise RuntimeError("gunicorn found every port it was given taken:\n"
                                       + self.output()) from None
            except BaseException:
                self.stop()  # nobody else holds it yet: never leave it running
                raise

    def _wait_ready(self, timeout: float = 180.0) -> None:
        # A deadline against hangs, generous for a machine loaded by parallel test runs.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                if "Address already in use" in self.output():
                    # Another process bound the free port between free_port() and gunicorn.
                    raise _PortTaken()
                raise RuntimeError("gunicorn exited:\n" + self.output())
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                conn.request("GET", "/api/openapi.json")
                if conn.getresponse().status == 200:
                    return
            except OSError:  # not listening yet, or too slow to answer on a loaded machine
                pass
            finally:
                conn.close()  # also when the server was not ready: no socket left to the GC
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not become ready:\n" + self.output())

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


class Worker(Process):
    """``flask worker`` (RQ plus the outbox relay), as the Procfile runs it."""

    started = 0  # several workers in one test each get their own log

    def __init__(self, env: dict, log_dir: Path):
        Worker.started += 1
        super().__init__([str(BIN / "flask"), "worker"], env,
                         log_dir / f"worker-{os.getpid()}-{Worker.started}.log")


class RedisServer(Process):
    """A private redis-server on a free port with an append-only file, restartable."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self._start()

    def _start(self) -> None:
        super().__init__(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                          "--dir", str(self.directory), "--appendonly", "yes", "--save", ""],
                         dict(os.environ), self.directory / "redis.log")
        import redis

        with redis.Redis(port=self.port) as client:
            for _ in range(200):
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    time.sleep(0.05)
        raise RuntimeError("redis-server did not start:\n" + self.output())

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def restart(self) -> None:
        self._start()
