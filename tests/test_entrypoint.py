"""The factory only wires; process entry points start what the app depends on."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from statuspage.embedded_redis import SOCKET_NAME, stop

ROOT = Path(__file__).resolve().parent.parent

# Each test builds its own embedded app whatever backend the suite runs on.
pytestmark = pytest.mark.once(backend="embedded")


def _run(code: str, **env) -> dict:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("REDIS_URL", "DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR", "INSTANCE_PATH")}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_create_app_starts_no_redis_server_and_the_entry_point_does(tmp_path):
    code = f"""
import json
from pathlib import Path
from statuspage import create_app
from statuspage.entrypoint import build_app
config = {{"INSTANCE_PATH": "{tmp_path}", "SECRET_KEY": "x"}}
app = create_app(config)
socket = Path("{tmp_path}") / "{SOCKET_NAME}"
before = socket.exists()
built = build_app(config)
print(json.dumps({{"url": app.config["REDIS_URL"], "before": before,
                  "after": built.extensions["redis"].ping()}}))
"""
    try:
        result = _run(code, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}")
    finally:
        stop(str(tmp_path))
    assert result == {"url": f"unix://{tmp_path / SOCKET_NAME}", "before": False, "after": True}


def test_no_module_changes_the_environment_on_import(tmp_path):
    code = f"""
import importlib, json, os, pkgutil
import statuspage
before = dict(os.environ)
for module in pkgutil.walk_packages(statuspage.__path__, "statuspage."):
    if not module.name.endswith("__main__"):
        importlib.import_module(module.name)
app = statuspage.create_app({{"INSTANCE_PATH": "{tmp_path}", "SECRET_KEY": "x",
                             "REDIS_URL": "redis://127.0.0.1:1/0",
                             "SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path / 'db.sqlite'}"}})
metrics = app.test_client().get("/metrics")
print(json.dumps({{"changed": sorted(set(os.environ.items()) ^ set(before.items())),
                  "metrics": metrics.status_code}}))
"""
    assert _run(code) == {"changed": [], "metrics": 200}


def test_the_app_starts_and_answers_without_loading_the_migration_tooling(tmp_path):
    code = f"""
import json, sys
from statuspage import create_app
app = create_app({{"INSTANCE_PATH": "{tmp_path}", "SECRET_KEY": "x", "REDIS_URL": "redis://127.0.0.1:1/0",
                  "SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path / 'db.sqlite'}"}})
status = app.test_client().get("/api/openapi.json").status_code
print(json.dumps({{"status": status, "loaded": sorted(m for m in ("alembic", "flask_migrate", "mako")
                                                     if m in sys.modules)}}))
"""
    assert _run(code) == {"status": 200, "loaded": []}
