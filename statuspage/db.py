"""Database wiring for the embedded default (SQLite): pragmas, and one writer at a
time per process."""
from __future__ import annotations

import logging
import sqlite3
import threading

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

log = logging.getLogger(__name__)
# Statements before which the sqlite3 module opens a transaction (and SQLite takes
# its write lock, held until COMMIT or ROLLBACK).
_OPENS_WRITE = ("insert", "update", "delete", "replace")
_HOLDS_TURN = "statuspage.write_turn"
# Past this, go ahead and let SQLite's own busy timeout decide (never wait forever).
TURN_WAIT_SECONDS = 30


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    # WAL lets readers proceed during a write; busy_timeout makes writers queue
    # instead of failing; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class _WriteTurns:
    """Writers of one process take turns on a lock before SQLite's write lock.

    SQLite makes a second writer wait inside a C call (busy_timeout). Under the
    gevent web worker every request shares one OS thread, so that wait also
    stops the request holding the write lock from reaching its COMMIT: the
    process stalls until the timeout. A Python lock taken just before the
    statement that opens the write transaction is cooperative under gevent
    (threading is patched), so waiting writers yield to the one that holds it.
    Between processes SQLite's busy_timeout still applies; there it is harmless.
    """

    def __init__(self):
        self._lock: threading.Lock | None = None
        self._guard = threading.Lock()

    def _get_lock(self) -> threading.Lock:
        # Made on first use, after gevent (if any) has patched threading.
        if self._lock is not None:
            return self._lock
        with self._guard:
            if self._lock is None:
                self._lock = threading.Lock()
            return self._lock

    def take(self, info: dict) -> None:
        if info.get(_HOLDS_TURN):
            return
        if self._get_lock().acquire(timeout=TURN_WAIT_SECONDS):
            info[_HOLDS_TURN] = True
        else:  # a writer that never ended its transaction: a bug worth seeing
            log.warning("waited %s s for another SQLite writer of this process; going ahead",
                        TURN_WAIT_SECONDS)

    def give_back(self, info: dict) -> None:
        if info.pop(_HOLDS_TURN, False):
            self._lock.release()


_turns = _WriteTurns()


@event.listens_for(Engine, "before_cursor_execute")
def _take_write_turn(conn, _cursor, statement, _params, _context, _executemany):
    if conn.dialect.name == "sqlite" and statement.lstrip()[:7].lower().startswith(_OPENS_WRITE):
        _turns.take(conn.info)


@event.listens_for(Engine, "after_cursor_execute")
def _transaction_ended_by_statement(conn, cursor, _statement, _params, _context, _executemany):
    # RELEASE of a savepoint that opened the transaction commits it in SQLite, with
    # no commit through the engine: the connection's own state tells.
    if conn.info.get(_HOLDS_TURN) and not getattr(cursor.connection, "in_transaction", True):
        _turns.give_back(conn.info)


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _end_write_turn(conn):
    _turns.give_back(conn.info)


# A connection returned, reset or dropped without a commit or rollback through the
# engine (an error, a pool reset) still gives its turn back.
@event.listens_for(Pool, "reset")
def _reset_gives_turn_back(_dbapi_connection, record, _reset_state):
    _turns.give_back(record.info)


@event.listens_for(Pool, "invalidate")
@event.listens_for(Pool, "close")
def _dropped_gives_turn_back(_dbapi_connection, record, *_exc):
    if record is not None:
        _turns.give_back(record.info)
