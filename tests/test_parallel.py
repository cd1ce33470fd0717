"""Parallel runs: each xdist worker on resources of its own, longest tests handed out first."""
from __future__ import annotations

import os

import pytest

from tests.parallel import (database_url_for, expected_seconds, isolate_worker, longest_first,
                            redis_url_for, split_between_backends, worker_index)


def test_worker_index_from_the_xdist_worker_name():
    assert worker_index({"PYTEST_XDIST_WORKER": "gw0"}) == 0
    assert worker_index({"PYTEST_XDIST_WORKER": "gw11"}) == 11
    assert worker_index({}) is None


def test_each_worker_gets_its_own_database_name():
    url = "postgresql://postgres@127.0.0.1:5432/test?connect_timeout=3"
    assert database_url_for(url, 0) == "postgresql://postgres@127.0.0.1:5432/test_gw0?connect_timeout=3"
    assert database_url_for(url, 1) == "postgresql://postgres@127.0.0.1:5432/test_gw1?connect_timeout=3"


def test_each_worker_gets_its_own_redis_db_counting_down():
    assert [redis_url_for("redis://127.0.0.1:6379/15", i) for i in range(3)] == [
        "redis://127.0.0.1:6379/15", "redis://127.0.0.1:6379/14", "redis://127.0.0.1:6379/13"]
    with pytest.raises(RuntimeError, match="TEST_WORKERS"):
        redis_url_for("redis://127.0.0.1:6379/1", 2)


def test_outside_xdist_nothing_changes():
    environ = {"DATABASE_URL": "postgresql://h/test", "REDIS_URL": "redis://h/15"}
    isolate_worker(environ)
    assert environ == {"DATABASE_URL": "postgresql://h/test", "REDIS_URL": "redis://h/15"}


def test_a_worker_without_servers_gets_only_its_own_metrics_folder():
    environ = {"PYTEST_XDIST_WORKER": "gw3", "PROMETHEUS_MULTIPROC_DIR": "/tmp/shared"}
    isolate_worker(environ)
    assert environ["PROMETHEUS_MULTIPROC_DIR"] != "/tmp/shared"
    assert os.path.isdir(environ["PROMETHEUS_MULTIPROC_DIR"])
    os.rmdir(environ["PROMETHEUS_MULTIPROC_DIR"])
    assert "DATABASE_URL" not in environ and "REDIS_URL" not in environ


@pytest.mark.skipif(worker_index() is None, reason="only an xdist worker has resources of its own")
def test_this_worker_uses_its_own_database_and_redis_db(app):
    index = worker_index()
    if os.environ.get("DATABASE_URL"):
        assert app.config["SQLALCHEMY_DATABASE_URI"].split("?")[0].endswith(f"_gw{index}")
    else:
        assert f"gw{index}" in app.instance_path  # its own tmp folder: SQLite file and redis-server


class _Item:
    def __init__(self, name, **marks):
        self.name, self.marks = name, marks
        self.nodeid = f"tests/{name}.py::test_it"

    def get_closest_marker(self, name):
        return self.marks.get(name)


def test_longest_first_keeps_the_order_of_equals():
    slow = pytest.mark.slow.mark
    items = [_Item("unit-a"), _Item("browser", browser=pytest.mark.browser.mark),
             _Item("slow-default", slow=slow), _Item("unit-b"),
             _Item("minute", slow=pytest.mark.slow(seconds=75).mark)]
    longest_first(items)
    assert [i.name for i in items] == ["minute", "slow-default", "browser", "unit-a", "unit-b"]
    assert [expected_seconds(i) for i in items] == [75, 10, 8, 0, 0]


def _shared_items():
    browser = pytest.mark.browser.mark
    return [_Item("api/test_incidents"), _Item("browser/test_admin_browser", browser=browser),
            _Item("browser/test_console_screens", browser=browser),
            _Item("browser/test_public_browser", browser=browser),
            _Item("browser/test_response_charts_browser", browser=browser),
            _Item("test_logs", once=pytest.mark.once(backend="embedded").mark),
            _Item("test_fuzz", once=pytest.mark.once(backend="postgres").mark)]


def test_each_pass_takes_its_share_of_browser_and_once_tests_and_every_other_test():
    shares = {}
    for this_pass in ("embedded", "postgres"):
        items = _shared_items()
        left_out = split_between_backends(items, this_pass)
        shares[this_pass] = {i.name for i in items}
        assert {i.name for i in left_out} | shares[this_pass] == {i.name for i in _shared_items()}
    assert shares["embedded"] & shares["postgres"] == {"api/test_incidents"}
    assert shares["postgres"] == {"api/test_incidents", "browser/test_admin_browser",
                                  "browser/test_console_screens", "test_fuzz"}
    assert shares["embedded"] == {"api/test_incidents", "browser/test_public_browser",
                                  "browser/test_response_charts_browser", "test_logs"}


def test_a_misspelt_pass_is_an_error_not_a_test_that_never_runs():
    items = [_Item("test_logs", once=pytest.mark.once(backend="postgress").mark)]
    with pytest.raises(ValueError, match="postgress"):
        split_between_backends(items, "embedded")


def test_a_run_on_one_backend_runs_every_test():
    items = _shared_items()
    assert split_between_backends(items, None) == [] and len(items) == 7
