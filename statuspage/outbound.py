"""Outbound HTTP behind an SSRF guard.

Every request the product makes to an address someone else typed (webhook
subscribers, chat integrations, monitors) goes through :func:`post` or
:func:`request`. The host is resolved once, every address it resolves to is
checked, and the connection goes to the exact address that passed the check:
no second DNS lookup happens between check and connect, so a name that
re-resolves to 127.0.0.1 cannot slip through. For https the certificate is
still verified against the host name (SNI and Host stay the name). Redirects
are never followed, the connect and total times are capped, and at most
``max_body`` bytes of an answer are read.

This module reads no configuration: callers pass ``allow_private``.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Optional
from urllib.parse import urlsplit

CONNECT_TIMEOUT = 3.0
TOTAL_TIMEOUT = 10.0
MAX_BODY = 64 * 1024
MAX_URL = 2048
USER_AGENT = "statuspage-webhooks/1"

# Cloud metadata services: never a legitimate receiver, even on-premise.
_METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254"))

Resolver = Callable[[str, int], Iterable[str]]


class Refused(Exception):
    """The URL or the address it resolves to may not be contacted."""


class OutboundError(Exception):
    """The request could not be completed (DNS, connect, TLS, timeout, protocol)."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (``address``) and what to ask for."""

    url: str
    scheme: str
    host: str
    port: int
    path: str
    address: str


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict
    body: bytes  # at most ``max_body`` bytes
    elapsed: float


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (A and AAAA)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


def refusal(address: str, allow_private: bool = False) -> Optional[str]:
    """Why ``address`` may not be contacted, or None when it may."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv4 wrapped in IPv6 (::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d) is judged as IPv4.
        embedded = ip.ipv4_mapped or (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
                                      if ip in ipaddress.ip_network("64:ff9b::/96") else None)
        if embedded is not None:
            return refusal(str(embedded), allow_private)
    if ip.is_unspecified or ip.is_multicast or ip in _METADATA:
        return f"{ip} is not a unicast host address."
    if allow_private:
        return None
    if ip.is_loopback:
        return f"{ip} is a loopback address."
    if ip.is_link_local:
        return f"{ip} is a link-local address."
    if not ip.is_global or ip.is_reserved:
        return f"{ip} is a private or reserved address."
    return None


def check_url(url: str, allow_private: bool = False, resolver: Optional[Resolver] = None) -> Target:
    """Parse and resolve ``url``; raise :class:`Refused` unless every address is allowed."""
    if not isinstance(url, str) or len(url) > MAX_URL:
        raise Refused(f"The URL must be text of at most {MAX_URL} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Refused("The URL is not valid.") from None
    if parts.scheme not in ("http", "https"):
        raise Refused("Only http and https URLs are allowed.")
    if not parts.hostname or any(c.isspace() for c in url):
        raise Refused("The URL has no valid host.")
    if parts.username is not None or parts.password is not None:
        raise Refused("Credentials inside the URL are not allowed.")
    host = parts.hostname
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = list(dict.fromkeys((resolver or system_resolver)(host, port)))
        except (OSError, UnicodeError):
            raise Refused(f"The host {host} does not resolve.") from None
    if not addresses:
        raise Refused(f"The host {host} does not resolve.")
    # One refused address refuses the name: a mix is how rebinding tricks start.
    for address in addresses:
        reason = refusal(address, allow_private)
        if reason:
            raise Refused(f"The host {host} resolves to a refused address: {reason}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(url, parts.scheme, host, port, path, addresses[0])


def _connect(address: str, port: int) -> socket.socket:
    sock = socket.create_connection((address, port), CONNECT_TIMEOUT)
    # Past the connect, the watchdog in request() enforces the total time.
    sock.settimeout(TOTAL_TIMEOUT)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target):
        super().__init__(target.host, target.port, timeout=CONNECT_TIMEOUT)
        self._address = target.address

    def connect(self):
        self.sock = _connect(self._address, self.port)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, context: Optional[ssl.SSLContext]):
        super().__init__(target.host, target.port, timeout=CONNECT_TIMEOUT,
                         context=context or ssl.create_default_context())
        self._address = target.address

    def connect(self):
        sock = _connect(self._address, self.port)
        # SNI and certificate checks use the name, the TCP connection the checked address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def request(method: str, url: str | Target, body: bytes = b"", headers: Optional[dict] = None, *,
            allow_private: bool = False, resolver: Optional[Resolver] = None,
            max_body: int = MAX_BODY, total_timeout: float = TOTAL_TIMEOUT,
            ssl_context: Optional[ssl.SSLContext] = None) -> Response:
    """Send one request to a checked address; raise :class:`Refused` or :class:`OutboundError`."""
    target = url if isinstance(url, Target) else check_url(url, allow_private, resolver)
    started = time.monotonic()
    conn = _PinnedHTTPS(target, ssl_context) if target.scheme == "https" else _PinnedHTTP(target)
    # The watchdog closes the socket at the deadline, however slowly the peer drips bytes.
    watchdog = threading.Timer(total_timeout, _abort, (conn,))
    watchdog.daemon = True
    watchdog.start()
    try:
        sent = {"User-Agent": USER_AGENT, "Connection": "close", **(headers or {})}
        conn.request(method, target.path, body=body, headers=sent)
        answer = conn.getresponse()
        data = answer.read(max_body)
        return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, data,
                        time.monotonic() - started)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if time.monotonic() - started >= total_timeout:
            raise OutboundError(f"No complete answer within {total_timeout:g} s.") from None
        raise OutboundError(f"{type(exc).__name__}: {exc}"[:300]) from None
    finally:
        watchdog.cancel()
        conn.close()


def post(url: str | Target, body: bytes, headers: Optional[dict] = None, **options) -> Response:
    """POST ``body`` (see :func:`request` for the options)."""
    return request("POST", url, body, headers, **options)


def _abort(conn: http.client.HTTPConnection) -> None:
    sock = conn.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def redact_url(url: str) -> str:
    """The URL as logs and listings may show it: scheme and host, the rest hidden."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
    except (ValueError, AttributeError):
        return "[redacted url]"
    return f"{parts.scheme}://{host}/…" if parts.path not in ("", "/") or parts.query else \
        f"{parts.scheme}://{host}/"
