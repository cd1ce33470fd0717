"""A real SMTP server (aiosmtpd) on a free loopback port, and a real RQ worker run."""
from __future__ import annotations

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """Stores accepted messages; ``rcpt_reply`` makes it refuse recipients (451, 550...);
    ``pipelining`` makes it offer PIPELINING (RFC 2920), as Postfix and the relays do."""

    def __init__(self, rcpt_reply: str | None = None, pipelining: bool = True):
        self.rcpt_reply = rcpt_reply
        self.pipelining = pipelining
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname  # what aiosmtpd does itself when there is no hook
        if self.pipelining:  # it reads commands from a stream, so it can take them pipelined
            return [*responses[:-1], "250-PIPELINING", responses[-1]]
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


class SinkServer:
    def __init__(self, app, monkeypatch):
        self.app, self.monkeypatch, self.controllers = app, monkeypatch, []

    def start(self, rcpt_reply: str | None = None, smtputf8: bool = False,
              pipelining: bool = True, handler: Sink | None = None) -> Sink:
        """Start a server and point MAIL_* at it (the last one started wins); ``smtputf8``
        makes it offer internationalised addresses (RFC 6531); ``handler``: a Sink of
        the test's own."""
        sink = handler or Sink(rcpt_reply, pipelining)
        controller = Controller(sink, hostname="127.0.0.1", port=free_port(),
                                enable_SMTPUTF8=smtputf8)
        controller.start()
        self.controllers.append(controller)
        self.monkeypatch.setitem(self.app.config, "MAIL_SERVER", "127.0.0.1")
        self.monkeypatch.setitem(self.app.config, "MAIL_PORT", controller.port)
        self.monkeypatch.setitem(self.app.config, "MAIL_TIMEOUT", 10.0)
        return sink

    def stop(self):
        from statuspage.services.email.sessions import kept

        kept.close_all()  # the workers' sessions to these servers
        for controller in self.controllers:
            controller.stop()


@pytest.fixture
def smtp(app, monkeypatch):
    """``smtp.start()`` -> a Sink; ``smtp.start("451 4.7.1 Try later")`` refuses recipients."""
    servers = SinkServer(app, monkeypatch)
    yield servers
    servers.stop()


@pytest.fixture
def run_worker(app):
    """Run the real worker (burst mode) until the queues are empty."""
    from statuspage.worker import close_worker, make_worker

    def run():
        worker = make_worker()
        try:
            worker.work(burst=True)
        finally:
            close_worker(worker)

    return run
