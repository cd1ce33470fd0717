"""A service for monitors to watch, in its own process, that a test turns healthy,
slow, failing and back.

Run as ``python -m tests.monitor_target``: it prints ``<http port> <tcp port>``.
HTTP: ``POST /_mode/<healthy|slow|failing>[?ms=N]`` switches the behaviour;
``GET /_hits`` lists the checks received (path, start, end); any other GET is a
check: 200 with "all good" (healthy), the same after N ms (slow), 503 (failing).
TCP: accepts and closes while healthy or slow; while failing the port refuses.
"""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {"mode": "healthy", "ms": 0}
HITS: list[dict] = []
LOCK = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args):
        pass

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        path, _, query = self.path.partition("?")
        mode = path.rsplit("/", 1)[-1]
        with LOCK:
            STATE["mode"] = mode
            STATE["ms"] = int(query.split("=", 1)[1]) if query.startswith("ms=") else 0
        TCP.set_open(mode != "failing")
        self._answer(200, b"ok")

    def do_GET(self):
        if self.path == "/_hits":
            with LOCK:
                return self._answer(200, json.dumps(HITS).encode())
        started = time.time()
        with LOCK:
            mode, ms = STATE["mode"], STATE["ms"]
        if mode == "slow":
            time.sleep(ms / 1000.0)
        self._answer(503 if mode == "failing" else 200,
                     b"maintenance" if mode == "failing" else b"all good")
        with LOCK:
            HITS.append({"path": self.path, "start": started, "end": time.time()})


class _Tcp:
    """A listener that can be closed (connections refused) and opened again on its port."""

    def __init__(self):
        self.port = 0
        self.sock = None
        self.set_open(True)

    def set_open(self, wanted: bool) -> None:
        if wanted and self.sock is None:
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", self.port))
            sock.listen(128)
            self.port, self.sock = sock.getsockname()[1], sock
            threading.Thread(target=self._accept, args=(sock,), daemon=True).start()
        elif not wanted and self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked on it
            except OSError:
                pass
            self.sock.close()
            self.sock = None

    def _accept(self, sock) -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            conn.close()


TCP = None


def main() -> None:
    global TCP
    TCP = _Tcp()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.request_queue_size = 1024
    print(server.server_address[1], TCP.port, flush=True)
    server.serve_forever()


class Target:
    """Starts the target process; switch it with :meth:`set`, read :meth:`hits`."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.monitor_target"],
                                     stdout=subprocess.PIPE, text=True)
        http_port, tcp_port = self.proc.stdout.readline().split()
        self.port, self.tcp_port = int(http_port), int(tcp_port)
        self.base = f"http://127.0.0.1:{self.port}"

    def set(self, mode: str, ms: int = 0) -> None:
        request = urllib.request.Request(f"{self.base}/_mode/{mode}?ms={ms}", data=b"", method="POST")
        urllib.request.urlopen(request, timeout=10).close()

    def hits(self, path: str = "") -> list[dict]:
        with urllib.request.urlopen(self.base + "/_hits", timeout=10) as answer:
            return [h for h in json.loads(answer.read()) if h["path"].startswith(path)]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self.proc.stdout.close()


if __name__ == "__main__":
    main()
