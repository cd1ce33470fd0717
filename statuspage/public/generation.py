"""Which generation of cached public responses is current, known without a Redis
round trip per request.

The generation number lives in Redis; invalidation increments it and publishes
a message. Each process keeps the number in memory while a background listener
is subscribed to those messages, and forgets it on every message, so another
process's commit is seen as soon as Redis delivers the message (sub-millisecond
on one host). While the listener is not subscribed (starting, Redis down), the
number is read from Redis on every request, as a plain cache would.
"""
from __future__ import annotations

import logging
import secrets
import threading

import redis

log = logging.getLogger(__name__)

GEN_KEY = "public:generation"
CHANNEL = "public:invalidated"


class Generation:
    def __init__(self, client: redis.Redis, prefix: str):
        self.client = client
        self.key = prefix + GEN_KEY
        self.channel = prefix + CHANNEL
        self._value: int | None = None
        self._epoch = 0  # bumped whenever the remembered value may be stale
        self._subscribed = False
        self._listener: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def current(self) -> int:
        """The current generation (raises redis.RedisError when Redis is down)."""
        self._ensure_listener()
        value = self._value
        if value is not None and self._subscribed:
            return value
        epoch = self._epoch
        value = self._read()
        if epoch == self._epoch:  # no invalidation arrived while we were reading
            self._value = value
        return value

    def _read(self) -> int:
        raw = self.client.get(self.key)
        if raw is None:
            # A random start, so a flushed Redis never brings back an old number
            # (and with it another process's in-memory copies).
            self.client.set(self.key, secrets.randbelow(2**48), nx=True)
            raw = self.client.get(self.key)
        return int(raw)

    def bump(self) -> None:
        """Invalidate: a new generation, announced to every process."""
        self.forget()
        self._read()
        self.client.incr(self.key)
        self.forget()
        self.client.publish(self.channel, b"1")

    def forget(self) -> None:
        self._epoch += 1
        self._value = None

    def stop(self) -> None:
        """End the listener thread (an app that is thrown away, e.g. a second one in a test)."""
        self._stopped.set()
        if self._listener is not None:
            self._listener.join(timeout=5)

    def _ensure_listener(self) -> None:
        if self._stopped.is_set():
            return
        if self._listener is not None and self._listener.is_alive():
            return
        with self._lock:
            if self._listener is None or not self._listener.is_alive():
                # Started lazily: after gunicorn forks, in the worker that serves.
                self._listener = threading.Thread(target=self._listen, name="public-cache-listener",
                                                  daemon=True)
                self._listener.start()

    def _listen(self) -> None:
        while not self._stopped.is_set():
            pubsub = self.client.pubsub(ignore_subscribe_messages=False)
            try:
                pubsub.subscribe(self.channel)
                while not self._stopped.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        self._subscribed = True
                    self.forget()  # on (re)subscribe too: messages may have been missed
            except Exception as exc:  # Redis down or connection lost: read per request meanwhile
                self._subscribed = False
                self.forget()
                log.info("public cache listener reconnecting: %s", exc)
                self._stopped.wait(1.0)
            finally:
                try:
                    pubsub.close()
                except Exception:
                    pass
