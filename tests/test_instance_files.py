"""Files and folders a process creates in instance/ are private to its user (0600 / 0700)."""
from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from statuspage.embedded_redis import stop as stop_embedded_redis
from tests.resilience.procs import wait_for
from tests.stream.servers import BIN, ROOT, base_env

# Builds the app on a fresh instance folder the way every process does, starts (and so
# creates the files of) the embedded Redis, writes an email to the outbox folder.
CHILD = """
from email.message import EmailMessage
from statuspage.entrypoint import build_app
from statuspage.services.email.transport import FileTransport

app = build_app()
message = EmailMessage()
message["To"], message["From"], message["Subject"] = "a@example.com", "s@example.com", "Hi"
message["Message-ID"] = "<one@status.test>"
message.set_content("hello")
with app.app_context():
    FileTransport(app.config["MAIL_OUTBOX_DIR"]).send(message, "a@example.com")
    from statuspage.extensions import redis_client
    redis_client.client.bgsave()
"""


# The instance folder's files are the embedded default's (SQLite, the embedded Redis).
pytestmark = pytest.mark.once(backend="embedded")


def _loose(path: Path) -> list[str]:
    """Entries under ``path`` that anyone but the owner can read, write or enter."""
    return [f"{entry} {stat.filemode(entry.lstat().st_mode)}"
            for entry in [path, *path.rglob("*")]
            if not entry.is_symlink() and entry.lstat().st_mode & 0o077]


def test_instance_files_are_private(tmp_path):
    instance = tmp_path / "instance"
    env = base_env(instance, SECRET_KEY="")
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR"):
        env.pop(name, None)
    try:
        for args in ([str(BIN / "flask"), "db", "upgrade"], [sys.executable, "-c", CHILD]):
            done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True,
                                  timeout=120)
            assert done.returncode == 0, done.stderr
        wait_for(lambda: (instance / "redis.rdb").exists(), 30, "the embedded Redis to save")
        names = {p.name for p in instance.rglob("*")}
        assert {"secret_key", "statuspage.db", "redis.sock", "redis.conf", "outbox",
                "prometheus"} <= names, names
        assert any(p.suffix == ".eml" for p in (instance / "outbox").iterdir())
        assert _loose(instance) == []
    finally:
        stop_embedded_redis(str(instance))
