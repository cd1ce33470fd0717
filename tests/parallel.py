"""Give each pytest-xdist worker its own PostgreSQL database, Redis db and metrics folder.

Workers of one run share the machine's servers; without this they would truncate
each other's tables and flush each other's Redis keys. The embedded default needs
nothing more: each worker already has its own temporary instance folder (and so
its own SQLite file and embedded redis-server).

Derived names: ``DATABASE_URL=.../test`` becomes ``.../test_gw0``, ``.../test_gw1``
(created on first use); ``REDIS_URL=redis://host/15`` gives worker ``gwN`` db
``15 - N`` (counting down so the default 15 and its neighbours stay inside the 16
databases a stock redis-server has).
"""
from __future__ import annotations

import os
import tempfile
from urllib.parse import urlsplit, urlunsplit


def worker_index(environ=os.environ) -> int | None:
    """0 for xdist worker ``gw0``, 1 for ``gw1``...; None outside xdist."""
    name = environ.get("PYTEST_XDIST_WORKER", "")
    return int(name[2:]) if name.startswith("gw") else None


def database_url_for(url: str, index: int) -> str:
    """The worker's own database: the suite's database name with ``_gwN`` appended."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path}_gw{index}"))


def redis_url_for(url: str, index: int) -> str:
    """The worker's own Redis db number: the suite's number minus the worker index."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    if base - index < 0:
        raise RuntimeError(f"{url}: not enough Redis databases below {base} for worker gw{index}; "
                           "use a higher db number or fewer TEST_WORKERS")
    return urlunsplit(parts._replace(path=f"/{base - index}"))


def create_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` unless it exists."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.DuplicateDatabase:
            pass  # another run created it first


def isolate_worker(environ=os.environ) -> None:
    """Point this xdist worker (and the processes it starts) at resources of its own."""
    index = worker_index(environ)
    if index is None:
        return
    environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix=f"statuspage-prom-gw{index}-")
    if environ.get("DATABASE_URL"):
        environ["DATABASE_URL"] = database_url_for(environ["DATABASE_URL"], index)
        create_database(environ["DATABASE_URL"])
    if environ.get("REDIS_URL"):
        environ["REDIS_URL"] = redis_url_for(environ["REDIS_URL"], index)


def expected_seconds(item) -> float:
    """Rough duration of a test, from its marks: ``slow(seconds=N)``, or a default per kind."""
    slow = item.get_closest_marker("slow")
    if slow is not None:
        return slow.kwargs.get("seconds", 10)
    if item.get_closest_marker("resilience") or item.get_closest_marker("browser"):
        return 8
    return 0


def longest_first(items: list) -> None:
    """Order the run longest first (stable otherwise), so xdist workers take the long
    tests at the start and all finish at about the same time instead of waiting on one."""
    items.sort(key=expected_seconds, reverse=True)


# Browser modules of the console; the others are the public page's.
CONSOLE_BROWSER_MODULES = ("test_admin_", "test_console_")


def browser_share(item) -> str | None:
    """``"console"`` or ``"public"`` for a browser test, None for any other test."""
    if item.get_closest_marker("browser") is None:
        return None
    module = item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
    return "console" if module.startswith(CONSOLE_BROWSER_MODULES) else "public"


BACKEND_PASSES = ("embedded", "postgres")


def backend_pass(item) -> str | None:
    """The one backend pass (``"embedded"`` or ``"postgres"``) that runs ``item`` when
    both run, or None for a test both passes run.

    A browser test checks what a reader or a responder sees; the database under the
    live server changes nothing of that, and Chromium is the costliest part of the
    suite: the public page's tests run in the embedded pass, the console's in the
    PostgreSQL one, so both still see a real browser. A test marked ``once`` checks
    something the backend plays no part in (a process's signals, its logs) or that one
    backend tests hardest (fuzzing against PostgreSQL's stricter types); it names its pass."""
    once = item.get_closest_marker("once")
    if once is not None:
        if once.kwargs.get("backend") not in BACKEND_PASSES:
            # A misspelt pass would leave the test out of both.
            raise ValueError(f"{item.nodeid}: once(backend={once.kwargs.get('backend')!r}) is not one of "
                             f"{BACKEND_PASSES}")
        return once.kwargs["backend"]
    share = browser_share(item)
    return None if share is None else ("postgres" if share == "console" else "embedded")


def split_between_backends(items: list, this_pass: str | None) -> list:
    """Keep the tests ``this_pass`` runs (all when None, a run on one backend); returns
    those left to the other pass (``BACKEND_PASS``, set by scripts/test)."""
    if not this_pass:
        return []
    left_out = [item for item in items if backend_pass(item) not in (None, this_pass)]
    dropped = {id(item) for item in left_out}
    items[:] = [item for item in items if id(item) not in dropped]
    return left_out


# Modules whose tests share a costly module-scoped fixture (two runs of ./scripts/run, a
# live server): each goes to one worker as a whole, every other test on its own. Spread
# over the workers, each worker would start the fixture again.
ONE_WORKER_MODULES = ("tests/test_scripts_run.py", "tests/stream/test_live.py",
                      "tests/stream/test_revocation.py")


def make_scheduler(config, log):
    """xdist's ``load`` distribution (``-n N``), handing out tests one by one in collection
    order (longest first) to whichever worker is free, ONE_WORKER_MODULES as a whole.

    xdist's own ``loadgroup`` would do with marks, but its marks do not reach pytest 9's
    node ids; ``loadscope`` reorders by module size."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class LongestFirst(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER_MODULES else nodeid

    config.option.loadscopereorder = False  # keep the collection's longest-first order
    return LongestFirst(config, log)
