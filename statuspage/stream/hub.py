"""One Redis reader per web process, fanning stream entries out to in-process subscribers.

Every SSE connection of a process subscribes to the :class:`Hub` instead of
holding its own blocking ``XREAD``: a single background reader (a greenlet
under gunicorn's gevent worker, a thread elsewhere) follows the stream and
puts each entry on every subscriber's queue. Replays use a small, bounded
connection pool, so thousands of browsers cost two or three Redis
connections, not one each.
"""
from __future__ import annotations

import logging
import queue
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Iterator, Optional

import redis

from . import sse

log = logging.getLogger(__name__)

STREAM_ID_RE = re.compile(r"(\d{1,20})-(\d{1,20})")
_BATCH = 500
# Subscribers handed what was read before the reader lets other greenlets run. Queued
# all at once, thousands of stream wake-ups would put a request arriving meanwhile
# behind every one of their writes; in slices it waits for one slice at most. A slice's
# writes take 1-3 ms on a slow core; with 100 they took longer than gevent runs
# callbacks before it looks at sockets again (5 ms), and a page render waited for
# more than a slice at each of its Redis round trips.
_SLICE = 25


def parse_id(value: str) -> Optional[tuple[int, int]]:
    """``"1700000000000-3"`` → ``(1700000000000, 3)``; None when malformed."""
    match = STREAM_ID_RE.fullmatch(value or "")
    if not match:
        return None
    ms, seq = int(match.group(1)), int(match.group(2))
    return (ms, seq) if ms < 2**64 and seq < 2**64 else None


@dataclass
class Entry:
    """A decoded stream entry; its SSE frames are rendered once and shared."""

    id: str
    key: tuple[int, int]
    event: str
    admin: str
    public: Optional[str]
    _frames: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_redis(cls, raw_id: bytes, fields: dict) -> "Entry":
        stream_id = raw_id.decode()
        public = fields.get(b"public", b"").decode()
        return cls(stream_id, parse_id(stream_id), fields[b"event"].decode(),
                   fields[b"admin"].decode(), public or None)

    def frame(self, audience: str) -> Optional[bytes]:
        """The SSE block for ``audience``, or None when that audience must not see it."""
        if audience not in self._frames:
            data = self.admin if audience == "admin" else self.public
            self._frames[audience] = None if data is None else sse.event(data, self.event, self.id)
        return self._frames[audience]


def _let_others_run() -> None:
    time.sleep(0)  # a yield: to other greenlets under gevent, to other threads otherwise


class Full(Exception):
    """The process already holds as many capped streams as it accepts."""


class Subscriber:
    """One SSE connection's inbox for one audience ("public" or "admin"). A subscriber
    that falls too far behind is dropped."""

    def __init__(self, maxsize: int, capped: bool = False, audience: str = "admin"):
        self.queue: queue.Queue = queue.Queue(maxsize)
        self.dropped = False
        self.capped = capped
        self.audience = audience

    def offer(self, entry: Entry) -> bool:
        try:
            self.queue.put_nowait(entry)
            return True
        except queue.Full:
            self.dropped = True  # it reconnects with Last-Event-ID and replays the rest
            return False


class Hub:
    def __init__(self, redis_url: str, stream_key: str, *, pool_size: int = 20,
                 queue_size: int = 1000, block_ms: int = 1000):
        self.stream_key = stream_key
        self.queue_size = queue_size
        self.block_ms = block_ms
        # Short commands (replay, tip lookups) share a pool that waits rather
        # than fails when a reconnect storm wants more than ``pool_size``.
        pool = redis.BlockingConnectionPool.from_url(
            redis_url, max_connections=pool_size, timeout=10,
            socket_timeout=5, socket_connect_timeout=1)
        self.client = redis.Redis(connection_pool=pool)
        self._reader = redis.Redis.from_url(
            redis_url, socket_timeout=block_ms / 1000 + 5, socket_connect_timeout=1)
        self._subscribers: set[Subscriber] = set()
        self._capped = 0  # subscribers that count against a ``limit``
        self._lock = threading.Lock()
        self._last_id: Optional[str] = None
        self._thread: Optional[threading.Thread] = None
        self.connected = False
        self._closing = False

    # -- subscriptions -------------------------------------------------------

    def subscribe(self, limit: Optional[int] = None, audience: str = "admin") -> Subscriber:
        """Register a new inbox for ``audience``; starts the reader on first use (after
        gunicorn forked). The inbox only receives entries that audience may see.

        With ``limit``, the inbox counts against it and :class:`Full` is raised
        when ``limit`` such inboxes are already open (checked under the lock).
        """
        if self._closing:
            # A worker on its way out (a reconnect on a kept-alive connection)
            # hands out an already-ended stream: the client retries elsewhere.
            closed = Subscriber(1)
            closed.dropped = True
            return closed
        with self._lock:
            if self.full(limit):
                raise Full()
            if self._thread is None:
                # Fix the starting point before anyone can replay, so that no
                # entry falls between a replay and the live feed.
                self._last_id = self.tip() or "0-0"
                self.connected = True
                self._thread = threading.Thread(target=self._run, name="stream-hub", daemon=True)
                self._thread.start()
            subscriber = Subscriber(self.queue_size, capped=limit is not None, audience=audience)
            self._subscribers.add(subscriber)
            self._capped += subscriber.capped
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """Forget an inbox (idempotent)."""
        with self._lock:
            if subscriber in self._subscribers:
                self._subscribers.discard(subscriber)
                self._capped -= subscriber.capped

    def close_all(self) -> None:
        """End every stream of this process (graceful shutdown); clients reconnect elsewhere."""
        self._closing = True
        with self._lock:
            subscribers, self._subscribers = list(self._subscribers), set()
            self._capped = 0
        for subscriber in subscribers:
            subscriber.dropped = True
            try:
                subscriber.queue.put_nowait(None)  # wake it; it is leaving anyway
            except queue.Full:
                pass

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def full(self, limit: Optional[int]) -> bool:
        """Whether ``limit`` capped inboxes are already open (never, without a limit)."""
        return limit is not None and self._capped >= limit

    @property
    def capped_count(self) -> int:
        """Open inboxes that count against a ``limit``."""
        return self._capped

    # -- reading the stream --------------------------------------------------

    def tip(self) -> Optional[str]:
        """The id of the newest entry, None for an empty stream."""
        newest = self.client.xrevrange(self.stream_key, "+", "-", count=1)
        return newest[0][0].decode() if newest else None

    def first(self) -> Optional[str]:
        oldest = self.client.xrange(self.stream_key, "-", "+", count=1)
        return oldest[0][0].decode() if oldest else None

    def replay(self, after: tuple[int, int]) -> Iterator[Entry]:
        """Every retained entry after ``after``, oldest first, in batches."""
        start = after
        while True:
            batch = self.client.xrange(self.stream_key, f"{start[0]}-{start[1] + 1}", "+",
                                       count=_BATCH)
            for raw_id, fields in batch:
                entry = Entry.from_redis(raw_id, fields)
                start = entry.key
                yield entry
            if len(batch) < _BATCH:
                return

    def _run(self) -> None:
        backoff = 0.1
        while not self._closing:
            try:
                response = self._reader.xread({self.stream_key: self._last_id},
                                              count=_BATCH, block=self.block_ms)
                if not self.connected:
                    log.info("event stream reachable again; resuming after %s", self._last_id)
                self.connected, backoff = True, 0.1
            except redis.RedisError as exc:
                if self.connected:
                    log.warning("event stream unreachable, retrying: %s", exc)
                self.connected = False
                time.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
                continue
            for _key, entries in response or ():
                self._dispatch([Entry.from_redis(raw_id, fields) for raw_id, fields in entries])

    def _dispatch(self, entries: list[Entry]) -> None:
        """Hand every subscriber the entries its audience may see, all in one wake-up
        (a burst read together is written together), yielding between slices."""
        self._last_id = entries[-1].id
        with self._lock:
            subscribers = list(self._subscribers)
        for n, subscriber in enumerate(subscribers, 1):
            # An entry its audience may not see would wake the connection for nothing
            # (every public stream, for each internal note on an outage day).
            for entry in entries:
                if entry.frame(subscriber.audience) is not None and not subscriber.offer(entry):
                    self.unsubscribe(subscriber)
                    break
            if n % _SLICE == 0:
                _let_others_run()
