"""Mail transports: SMTP from MAIL_* settings, or .eml files in instance/outbox/.

SMTP errors are sorted into what the delivery state machine needs to know:
a :class:`PermanentFailure` (5xx for this recipient or message) or a
:class:`TransientFailure` (4xx, refused connection, timeout, dropped link).
"""
from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
from pathlib import Path
from typing import Callable, Optional

from flask import current_app

from .mime import Outgoing, wire_address
from .sessions import kept, quit_quietly, server_of

log = logging.getLogger(__name__)


class TransientFailure(Exception):
    """Try again later. ``connection`` is true when the link itself failed."""

    def __init__(self, message: str, connection: bool = False):
        super().__init__(message)
        self.connection = connection


class PermanentFailure(Exception):
    """The server refused this recipient or message for good (5xx).

    ``suppress`` is false when the address itself is fine but this server cannot
    carry it: no further mail is held back from the subscriber.
    """

    def __init__(self, message: str, suppress: bool = True):
        super().__init__(message)
        self.suppress = suppress


NO_SMTPUTF8 = ("Not sent: the address is internationalised and the mail server does not "
               "offer SMTPUTF8, which it needs.")


def _reply(code: int, text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def classify(exc: Exception) -> Exception:
    """Map an smtplib/socket error to a transient or permanent failure."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        error = _reply(code, text)
        return PermanentFailure(error) if 500 <= code < 600 else TransientFailure(error)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        # Our sender address or account is the problem, not the subscriber's:
        # keep retrying while the operator fixes MAIL_* settings.
        return TransientFailure(f"sender refused: {_reply(exc.smtp_code, exc.smtp_error)}",
                                connection=True)
    if isinstance(exc, smtplib.SMTPDataError):
        error = _reply(exc.smtp_code, exc.smtp_error)
        return PermanentFailure(error) if 500 <= exc.smtp_code < 600 else TransientFailure(error)
    if isinstance(exc, smtplib.SMTPResponseException):  # HELO, AUTH, 421 closing...
        return TransientFailure(_reply(exc.smtp_code, exc.smtp_error), connection=True)
    if isinstance(exc, (smtplib.SMTPException, OSError)):  # refused, timeout, disconnected
        return TransientFailure(f"{type(exc).__name__}: {exc}", connection=True)
    raise exc


_NOT_SENT = (-1, b"not sent")


def _nothing() -> None:
    pass


def _envelope(smtp: smtplib.SMTP, commands: list[bytes], pipelining: bool) -> list[tuple]:
    """The replies to MAIL, RCPT and DATA: all three written at once when the server
    pipelines, else one at a time, stopping at the first refusal (the rest not sent)."""
    if pipelining:
        smtp.send(b"".join(commands))
        return [smtp.getreply() for _ in commands]
    replies = []
    for command, expected in zip(commands, ((250,), (250, 251), (354,))):
        smtp.send(command)
        replies.append(smtp.getreply())
        if replies[-1][0] not in expected:
            break
    return replies + [_NOT_SENT] * (len(commands) - len(replies))


def _abort(smtp: smtplib.SMTP, code: int) -> None:
    """After a refusal: a 421 means the server is closing, else reset the transaction."""
    if code == 421:
        smtp.close()
        return
    try:
        smtp.rset()
    except smtplib.SMTPServerDisconnected:
        pass  # the next command reports it


# Characters that make an address more than a plain local@domain for smtplib's parser.
_NOT_PLAIN = re.compile(r'[\s"<>()\[\]\\,;:]')


def _path(address: str) -> str:
    """``<address>`` as ``smtplib.quoteaddr`` writes it, without its parser for plain addresses."""
    if "@" in address and not _NOT_PLAIN.search(address):
        return f"<{address}>"
    return smtplib.quoteaddr(address)


def _content(data: bytes) -> bytes:
    """The message as DATA carries it: dot-stuffed, ending in CRLF.CRLF (as smtplib does)."""
    if data.startswith(b"."):
        data = b"." + data
    data = data.replace(b"\n.", b"\n..")
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


class SMTPTransport:
    """One SMTP connection, opened lazily (or kept from an earlier batch) and reused for a whole batch."""

    def __init__(self, config):
        self.config = config
        self.smtp: Optional[smtplib.SMTP] = kept.take(server_of(config))

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"])
        try:
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
            smtp.ehlo_or_helo_if_needed()  # so its extensions (SMTPUTF8) are known
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: Outgoing, to_address: str, ready: Callable[[], None] = _nothing) -> None:
        """Send one message; raises :class:`TransientFailure` or :class:`PermanentFailure`.

        ``ready()`` is called right before the content goes out (the server has taken
        the envelope). A non-ASCII mailbox goes out with SMTPUTF8 when the server
        offers it; when it does not, the message fails for good at once (no retry can help).
        """
        recipient = wire_address(to_address)
        options = () if recipient.isascii() else ("SMTPUTF8",)
        try:
            if self.smtp is None:
                self.smtp = self._connect()
            if options and not self.smtp.has_extn("smtputf8"):
                raise PermanentFailure(NO_SMTPUTF8, suppress=False)
            self._transaction(self.smtp, recipient, message.as_bytes(), options, ready)
        except PermanentFailure:
            raise
        except (smtplib.SMTPException, OSError) as exc:
            failure = classify(exc)
            if getattr(failure, "connection", False) or self.smtp is None or self.smtp.sock is None:
                self.reset()  # a 421 or a dropped link: the next message opens a new one
            raise failure from exc
        except BaseException:
            self.reset()  # stopped mid-transaction (``ready`` failed): the link is not reusable
            raise

    def _transaction(self, smtp: smtplib.SMTP, recipient: str, data: bytes, options,
                     ready: Callable[[], None]) -> None:
        """MAIL, RCPT and DATA, then the content: what ``smtplib.sendmail`` does for one
        recipient, with the three commands in one write when the server offers PIPELINING.

        The content only goes out after the server's 354, i.e. after the replies to
        all three commands: one message at a time is ever with the server unanswered.
        """
        sender = self.config["MAIL_DEFAULT_SENDER"]
        extra = [*options, f"SIZE={len(data)}"] if smtp.has_extn("size") else list(options)
        encoding = "utf-8" if options else "ascii"
        commands = [f"MAIL FROM:{_path(sender)}{''.join(' ' + o for o in extra)}\r\n".encode(encoding),
                    f"RCPT TO:{_path(recipient)}\r\n".encode(encoding),
                    b"DATA\r\n"]
        mail, rcpt, data_reply = _envelope(smtp, commands, smtp.has_extn("pipelining"))
        if mail[0] != 250:
            _abort(smtp, mail[0])
            raise smtplib.SMTPSenderRefused(mail[0], mail[1], sender)
        if rcpt[0] not in (250, 251):
            if data_reply[0] == 354:  # a server that took DATA with no recipient: end it empty
                smtp.send(b".\r\n")
                smtp.getreply()
            _abort(smtp, rcpt[0])
            raise smtplib.SMTPRecipientsRefused({recipient: rcpt})
        if data_reply[0] != 354:
            _abort(smtp, data_reply[0])
            raise smtplib.SMTPDataError(*data_reply)
        ready()
        smtp.send(_content(data))
        code, text = smtp.getreply()
        if code != 250:
            _abort(smtp, code)
            raise smtplib.SMTPDataError(code, text)

    def reset(self) -> None:
        """Drop the connection without a goodbye (it failed)."""
        if self.smtp is not None:
            try:
                self.smtp.close()
            finally:
                self.smtp = None

    def close(self) -> None:
        """Keep the connection for this process's next batch, or end the session politely."""
        if self.smtp is not None and kept.keep(server_of(self.config), self.smtp,
                                               self.config["MAIL_CONNECTIONS"]):
            self.smtp = None
        quit_quietly(self.smtp)
        self.smtp = None




_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]")


class FileTransport:
    """The embedded default: each message becomes an .eml file (named by its
    Message-ID, so a resend overwrites rather than duplicates) and a log line."""

    def __init__(self, directory: str):
        self.directory = Path(directory)

    def send(self, message: Outgoing, to_address: str, ready: Callable[[], None] = _nothing) -> None:
        """Write the message to ``<Message-ID>.eml``, atomically (``ready()`` first)."""
        ready()
        self.directory.mkdir(parents=True, exist_ok=True)
        name = _UNSAFE.sub("_", message["Message-ID"].strip("<>")) + ".eml"
        path = self.directory / name
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(message.as_bytes())
        os.replace(tmp, path)
        log.info("email to %s written to %s: %s", to_address, path, message["Subject"])

    def close(self) -> None:
        """Nothing to close."""
        pass


def open_transport():
    """The configured transport: SMTP when MAIL_SERVER is set, else .eml files."""
    config = current_app.config
    if config["MAIL_SERVER"]:
        return SMTPTransport(config)
    return FileTransport(config["MAIL_OUTBOX_DIR"])
