"""gunicorn.conf.py: multiprocess metric files are kept tidy by the master's hooks; a
worker keeps the garbage collector out of its way."""
import os
import runpy
import subprocess
import sys
from types import SimpleNamespace

from statuspage.config import prometheus_dir
from tests.subprocess_app import ROOT

DEAD_PID = 4194303  # above any pid the kernel hands out by default


def _printed_by_a_fresh_process(code: str) -> str:
    """What ``python -c code`` prints, run from the project root."""
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def load_conf(monkeypatch, directory):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_default_directory_matches_the_app(monkeypatch, tmp_path):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == prometheus_dir() == str(tmp_path / "prometheus")


def test_on_starting_drops_files_of_dead_processes(monkeypatch, tmp_path):
    conf = load_conf(monkeypatch, tmp_path)
    for name in (f"counter_{DEAD_PID}.db", f"counter_{os.getpid()}.db", "histogram_1.db"):
        (tmp_path / name).write_bytes(b"")
    conf["on_starting"](None)
    # pid 1 (init) is alive, so its file stays too
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"counter_{os.getpid()}.db", "histogram_1.db"])


def test_child_exit_retires_live_gauges_only(monkeypatch, tmp_path):
    conf = load_conf(monkeypatch, tmp_path)
    for name in (f"gauge_livesum_{DEAD_PID}.db", f"counter_{DEAD_PID}.db",
                 f"gauge_livesum_{os.getpid()}.db"):
        (tmp_path / name).write_bytes(b"")
    conf["child_exit"](None, SimpleNamespace(pid=DEAD_PID))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"counter_{DEAD_PID}.db", f"gauge_livesum_{os.getpid()}.db"])


def test_master_imports_nothing_gevent_must_patch_first():
    # Of the app, the master holds the worker class only (gunicorn's own gevent worker,
    # which it subclasses, comes with gevent), and none of the libraries the app loads.
    assert _printed_by_a_fresh_process(
        "import runpy, sys; runpy.run_path('gunicorn.conf.py');"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('flask', 'statuspage', 'prometheus_client', 'redis', 'sqlalchemy', 'psycopg')))"
    ) == "['statuspage', 'statuspage.web_worker']"


def test_a_worker_freezes_what_the_app_loaded_and_collects_rarely():
    # In a process of its own: the hook changes the collector of the process it runs in.
    assert _printed_by_a_fresh_process(
        "import gc, runpy, types; conf = runpy.run_path('gunicorn.conf.py');"
        "conf['post_worker_init'](types.SimpleNamespace());"
        "print(gc.get_threshold() == conf['GC_THRESHOLDS'], gc.get_freeze_count() > 1000)") == "True True"


def test_streams_get_a_listener_of_their_own_when_asked(monkeypatch, tmp_path):
    monkeypatch.setenv("PORT", "8000")
    monkeypatch.delenv("STREAM_BIND", raising=False)
    assert load_conf(monkeypatch, tmp_path)["bind"] == ["0.0.0.0:8000"]
    monkeypatch.setenv("STREAM_BIND", "127.0.0.1:8001")
    assert load_conf(monkeypatch, tmp_path)["bind"] == ["0.0.0.0:8000", "127.0.0.1:8001"]
