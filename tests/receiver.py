"""A real HTTP receiver in its own process, for webhook and chat-channel tests.

Run as ``python -m tests.receiver``: it binds a free loopback port, prints it,
records every request it gets and answers by path:

- ``/status/<code>``: that status (``/status/410``: Gone, ``/status/302``: a
  redirect to ``/status/200``);
- ``/flaky/<n>``: 500 for the first ``n`` requests per ``webhook-id``, then 200;
- ``/slow/<seconds>``: answers 200 after that long;
- anything else: 200 with a short JSON body.

``GET /_requests`` (not recorded) returns what was received, as JSON.
"""
from __future__ import annotations

import base64
import json
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    received: list[dict] = []
    attempts: Counter = Counter()
    lock = threading.Lock()

    def log_message(self, *_args):
        pass

    def _answer(self, status: int, body: bytes = b'{"ok": true}', headers: dict | None = None):
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/_requests":
            with self.lock:
                data = json.dumps(self.received).encode()
            return self._answer(200, data)
        self._record(b"")
        self._route()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._record(body)
        self._route()

    def _record(self, body: bytes):
        with self.lock:
            self.received.append({
                "method": self.command, "path": self.path, "at": time.time(),
                "peer_port": self.client_address[1],  # which connection it came on
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": base64.b64encode(body).decode()})

    def _route(self):
        parts = self.path.split("?", 1)[0].strip("/").split("/")
        if parts[0] == "status" and len(parts) > 1:
            code = int(parts[1])
            headers = {"Location": "/status/200"} if 300 <= code < 400 else None
            return self._answer(code, f'{{"status": {code}}}'.encode(), headers)
        if parts[0] == "flaky" and len(parts) > 1:
            with self.lock:
                key = (self.path, self.headers.get("webhook-id"))
                self.attempts[key] += 1
                seen = self.attempts[key]
            return self._answer(500 if seen <= int(parts[1]) else 200)
        if parts[0] == "slow" and len(parts) > 1:
            time.sleep(float(parts[1]))
        return self._answer(200)


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.request_queue_size = 1024
    if len(sys.argv) == 3:  # certificate and key files: serve https
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


class Receiver:
    """Starts the receiver process; ``requests()`` returns what it received.

    With ``tls=(certfile, keyfile)`` it serves https (``requests()`` is then not available).
    """

    def __init__(self, tls: tuple[str, str] | None = None):
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.receiver", *(tls or ())],
                                     stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())
        self.base = f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/hook") -> str:
        return self.base + path

    def requests(self, path_prefix: str = "") -> list[dict]:
        with urllib.request.urlopen(self.base + "/_requests", timeout=10) as answer:
            found = json.loads(answer.read())
        for item in found:
            item["body"] = base64.b64decode(item["body"])
        return [r for r in found if r["path"].startswith(path_prefix)]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self.proc.stdout.close()


@pytest.fixture(scope="module")
def receiver():
    """A receiver process shared by a test module."""
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def allow_private(app, monkeypatch):
    """Outbound requests may reach the loopback receiver."""
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)


if __name__ == "__main__":
    main()
