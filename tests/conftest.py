"""Shared fixtures: a real database and a real Redis on both backends.

With no environment the suite runs on the embedded default (a SQLite file and
an embedded redis-server in a temporary instance folder). With DATABASE_URL /
REDIS_URL set it runs against those servers (CI: Postgres + Redis).
"""
from __future__ import annotations

import contextvars
import os
import tempfile
import time
import uuid

from tests.parallel import isolate_worker, longest_first, make_scheduler, split_between_backends

# Before anything reads the environment: this xdist worker's own database, Redis db and
# Prometheus multiprocess files (each run's, set before anything imports prometheus_client).
isolate_worker()
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="statuspage-prom-"))
# Thousands of password hashes and sign-ins: a cheap scrypt for the suite and the servers
# it starts (production refuses anything below the default).
os.environ.setdefault("PASSWORD_HASH_METHOD", "scrypt:1024:8:1")

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from flask.globals import _cv_app, _cv_request
from flask.testing import FlaskClient

from statuspage import create_app
from statuspage.embedded_redis import stop as stop_embedded_redis
from statuspage.entrypoint import build_app
from statuspage.extensions import db, redis_client
from statuspage.migration import upgrade
from statuspage.public.cache import invalidate as invalidate_public_cache
from statuspage.public.cache import reset_local as reset_public_cache
from statuspage.services import users
from statuspage.services.context import SYSTEM

POSTGRES = bool(os.environ.get("DATABASE_URL"))


def pytest_collection_modifyitems(config, items):
    left_out = split_between_backends(items, os.environ.get("BACKEND_PASS"))
    if left_out:
        config.hook.pytest_deselected(items=left_out)
    longest_first(items)


def pytest_report_header(config):
    this_pass = os.environ.get("BACKEND_PASS")
    return (f"the {this_pass} pass: browser and `once` tests of the other pass left out"
            if this_pass else None)


def pytest_xdist_make_scheduler(config, log):
    return make_scheduler(config, log)


def _reset_postgres_schema(app):
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("instance")
    yield path
    stop_embedded_redis(str(path))


class IsolatedClient(FlaskClient):
    """Runs each request outside the test's app context, as in production: the
    test's database session and ``g`` are never shared with requests. Other
    context variables (a test clock, say) still carry over."""

    def open(self, *args, **kwargs):
        def detached():
            _cv_app.set(None)
            _cv_request.set(None)
            return FlaskClient.open(self, *args, **kwargs)

        return contextvars.copy_context().run(detached)


@pytest.fixture(scope="session")
def app(instance_dir):
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(instance_dir),
        "SECRET_KEY": "test-secret",
        "RATELIMIT_ENABLED": False,
        "PUBLIC_BASE_URL": "http://status.test",
    }
    app = build_app(config)  # as a process entry point: starts the embedded Redis if used
    app.test_client_class = IsolatedClient
    if POSTGRES:
        _reset_postgres_schema(app)
    upgrade(app)
    yield app
    with app.app_context():  # close pooled connections before the app object is collected
        db.engine.dispose()


# Every sequence of the schema back to 1, as a fresh database has it (one statement).
_RESTART_SEQUENCES = ("SELECT setval(c.oid::regclass, 1, false) FROM pg_class c "
                      "WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace")


def _empty_tables(attempts: int = 10) -> None:
    """Delete every row, children first so no foreign key points at a deleted row.

    DELETE, not TRUNCATE: a test leaves a few rows in a few tables, and deleting them
    takes ~5 ms on PostgreSQL where TRUNCATE's new files for every table take ~100 ms.
    A live server shared between tests may still be finishing a request of the last
    test's page and the two can deadlock on rows; PostgreSQL picks one side to fail:
    when it is us, wait a moment and retry.
    """
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    postgres = db.engine.dialect.name == "postgresql"
    for attempt in range(attempts):
        try:
            with db.engine.begin() as conn:
                if postgres:
                    # One round trip: PostgreSQL takes several statements in one query.
                    conn.exec_driver_sql("; ".join([*(f"DELETE FROM {name}" for name in tables),
                                                    _RESTART_SEQUENCES]))
                else:
                    for name in tables:
                        conn.execute(text(f"DELETE FROM {name}"))
            return
        except OperationalError as exc:
            if "deadlock" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


@pytest.fixture(autouse=True)
def _clean_state(app):
    """Every test starts with empty tables and an empty Redis database."""
    with app.app_context():
        yield
        db.session.remove()
        _empty_tables()
        redis_client.client.flushdb()
        # A new generation, announced: a live server shared between tests drops its
        # in-memory copies too (they would outlive the flush).
        invalidate_public_cache()
        reset_public_cache()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def make_user(role: str = "responder", email: str | None = None, password: str | None = None):
    """Builder: a committed user with the given role."""
    email = email or f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    user = users.create_user(SYSTEM, email, role.title(), role, password)
    db.session.commit()
    return user


def make_token(role: str = "responder") -> str:
    user = make_user(role)
    _token, raw = users.create_token(SYSTEM, user, "tests")
    db.session.commit()
    return raw


class ApiClient:
    """The Flask test client speaking JSON with a bearer token."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def _headers(self, extra):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers.update(extra or {})
        return headers

    def get(self, path, headers=None, **kw):
        return self.client.get(path, headers=self._headers(headers), **kw)

    def post(self, path, json=None, headers=None, **kw):
        return self.client.post(path, json=json, headers=self._headers(headers), **kw)

    def patch(self, path, json=None, headers=None, **kw):
        return self.client.patch(path, json=json, headers=self._headers(headers), **kw)

    def put(self, path, json=None, headers=None, **kw):
        return self.client.put(path, json=json, headers=self._headers(headers), **kw)

    def delete(self, path, headers=None, **kw):
        return self.client.delete(path, headers=self._headers(headers), **kw)


@pytest.fixture
def api_as(client):
    """``api_as("admin")``: an API client authenticated with a token of that role."""
    return lambda role: ApiClient(client, make_token(role))


@pytest.fixture
def api(api_as):
    return api_as("admin")


@pytest.fixture
def anon(client):
    return ApiClient(client, None)


def make_component(api, name="API", **fields):
    response = api.post("/api/components", json={"name": name, **fields})
    assert response.status_code == 201, response.json
    return response.json


def make_incident(api, **fields):
    body = {"title": "Checkout errors", "severity": "SEV2", **fields}
    response = api.post("/api/incidents", json=body)
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def json_logs():
    """The JSON log lines written during the test, as a callable returning parsed dicts."""
    import io
    import json

    from statuspage import logs

    buffer = io.StringIO()
    logs.configure(stream=buffer)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    logs.configure()


@pytest.fixture
def other_app(app, instance_dir):
    """``other_app(**config)``: a second app instance on the same instance folder, disposed after."""
    made = []

    def build(**overrides):
        made.append(create_app({**app.config, "INSTANCE_PATH": str(instance_dir), **overrides}))
        return made[-1]

    yield build
    for other in made:
        other.extensions["public_generation"].stop()
        with other.app_context():
            db.engine.dispose()
        other.extensions["redis"].close()


from tests.mailsink import run_worker, smtp  # noqa: E402,F401  (fixtures: real SMTP sink, real worker)
