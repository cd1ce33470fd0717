"""Durable "the server accepted it" marks for deliveries, one Redis key each.

A send lane commits SENT marks to the database in groups (a commit per message
would halve its rate), so a worker killed mid-batch leaves accepted messages in
SENDING. Each is marked here right after the server's 250 reply, before the lane
sends the next message; whoever claims such a row again, or recovers its lease,
marks it SENT from this record instead of sending it a second time. Only the
message in flight on each connection at the moment of a crash can go out twice.
(The lane writes the mark, builds its next message and sends that one's envelope
while Redis answers; it waits for the answer before the next content goes out.)
"""
from __future__ import annotations

import logging
from typing import Iterable

import redis

from ...extensions import redis_client

log = logging.getLogger(__name__)
KEY = "statuspage:delivery-accepted:{}"
# Long enough for a dead worker's leases to be recovered, even after a weekend.
TTL_SECONDS = 7 * 86400


def remember(delivery_id: int, message_id: str) -> bool:
    """Record that the server accepted this delivery; False if Redis could not."""
    recorder = Recorder()
    try:
        return recorder.remember(delivery_id, message_id)
    finally:
        recorder.close()


def _set_command(delivery_id: int, message_id: str) -> bytes:
    """``SET <key> <Message-ID> EX <ttl>`` in the Redis protocol, written by hand (the
    client's general encoder showed up in a lane's per-message profile)."""
    key, value = KEY.format(delivery_id).encode(), message_id.encode()
    return b"*5\r\n$3\r\nSET\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n$2\r\nEX\r\n$%d\r\n%b\r\n" % (
        len(key), key, len(value), value, len(_TTL), _TTL)


_TTL = str(TTL_SECONDS).encode()


class Recorder:
    """One send lane's marks, over a connection of its own: a pooled call costs about
    three times as much, which a lane pays once per message.

    :meth:`send` writes a mark without waiting for Redis, so the lane can build its
    next message meanwhile; :meth:`wait` reads the answers, and the lane calls it
    before the next message's content goes out.
    """

    def __init__(self):
        self.pool = redis_client.client.connection_pool
        self.conn = None
        self.unanswered = 0
        self.lost = False  # a mark since the last wait did not reach Redis

    def send(self, delivery_id: int, message_id: str) -> None:
        """Write the mark for an accepted delivery; :meth:`wait` tells whether it is stored."""
        try:
            if self.conn is None:
                self.conn = self.pool.get_connection()
            self.conn.send_packed_command([_set_command(delivery_id, message_id)], check_health=False)
            self.unanswered += 1
        except redis.RedisError as exc:
            self._broken(exc)

    def wait(self) -> bool:
        """Read the answers to the marks sent so far; False if any of them was not stored."""
        try:
            while self.unanswered:
                self.conn.read_response()
                self.unanswered -= 1
        except redis.RedisError as exc:
            self._broken(exc)
        stored, self.lost = not self.lost, False
        return stored

    def remember(self, delivery_id: int, message_id: str) -> bool:
        """Record that the server accepted this delivery; False if Redis could not."""
        self.send(delivery_id, message_id)
        return self.wait()

    def _broken(self, exc: Exception) -> None:
        log.warning("could not record an accepted delivery (marking it in the database): %s", exc)
        self.lost, self.unanswered = True, 0
        self.close(broken=True)

    def close(self, broken: bool = False) -> None:
        """Give the connection back to the pool (dropped first when it failed)."""
        if self.conn is not None:
            if broken:
                self.conn.disconnect()
            self.pool.release(self.conn)
            self.conn = None


def recall(ids: Iterable[int]) -> dict[int, str]:
    """``{delivery id: Message-ID}`` for the deliveries among ``ids`` a server accepted."""
    ids = list(ids)
    if not ids:
        return {}
    try:
        values = redis_client.client.mget([KEY.format(i) for i in ids])
    except redis.RedisError as exc:
        log.warning("could not read accepted-delivery marks: %s", exc)
        return {}
    return {i: v.decode() for i, v in zip(ids, values) if v is not None}


def forget(ids: Iterable[int]) -> None:
    """Drop the marks of deliveries whose SENT state is committed (they expire anyway)."""
    keys = [KEY.format(i) for i in ids]
    if keys:
        try:
            redis_client.client.delete(*keys)
        except redis.RedisError:
            pass
