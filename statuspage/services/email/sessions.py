"""SMTP sessions kept open between the send batches of one worker process."""
from __future__ import annotations

import smtplib
import threading
import time
from typing import Optional


def quit_quietly(smtp: Optional[smtplib.SMTP]) -> None:
    """End a session politely if it still answers, else just close it."""
    if smtp is not None:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def server_of(config) -> tuple:
    """What a session is kept for: the MAIL_* settings it was opened with."""
    return config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_USE_TLS"], config["MAIL_USERNAME"]


class _Kept:
    """Idle SMTP sessions between send batches of one worker process: a batch's lanes
    take them instead of connecting, greeting and quitting each time. A session idle
    longer than ``IDLE_SECONDS`` is ended instead (servers drop idle clients); one the
    server dropped anyway fails on its first command, and the lane connects again."""

    IDLE_SECONDS = 10.0

    def __init__(self):
        self.lock = threading.Lock()
        self.sessions: list[tuple[tuple, smtplib.SMTP, float]] = []

    def take(self, server: tuple) -> Optional[smtplib.SMTP]:
        """A kept session to ``server``, or None; ends the ones idle too long."""
        now, found, stale = time.monotonic(), None, []
        with self.lock:
            for entry in list(self.sessions):
                if now - entry[2] > self.IDLE_SECONDS:
                    stale.append(entry[1])
                    self.sessions.remove(entry)
                elif found is None and entry[0] == server:
                    found = entry[1]
                    self.sessions.remove(entry)
        for smtp in stale:
            smtp.close()  # no goodbye: waiting for a server that may be gone would hold the lane
        return found

    def keep(self, server: tuple, smtp: smtplib.SMTP, limit: int) -> bool:
        """Keep a session that sits between transactions; False when ``limit`` are kept
        for that server. Sessions for other settings (they changed) are ended."""
        with self.lock:
            other = [entry for entry in self.sessions if entry[0] != server]
            self.sessions = [entry for entry in self.sessions if entry[0] == server]
            kept = len(self.sessions) < limit
            if kept:
                self.sessions.append((server, smtp, time.monotonic()))
        for entry in other:
            entry[1].close()
        return kept

    def close_all(self) -> None:
        """End every kept session (a test's server is about to go)."""
        with self.lock:
            sessions, self.sessions = self.sessions, []
        for _server, smtp, _since in sessions:
            quit_quietly(smtp)


kept = _Kept()
