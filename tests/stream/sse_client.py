"""A minimal real SSE client for tests: http.client plus the WHATWG parsing rules."""
from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Optional, Union


@dataclass
class Event:
    name: str
    data: str
    id: Optional[str]

    @property
    def json(self):
        return json.loads(self.data)


@dataclass
class Comment:
    text: str


class SSEClient:
    """Opens ``path`` on a live server and yields events and comments as they arrive."""

    def __init__(self, port: int, path: str, headers: Optional[dict] = None, timeout: float = 30):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.conn.request("GET", path, headers={"Accept": "text/event-stream", **(headers or {})})
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.headers = self.response.headers
        self.retry: Optional[int] = None
        self.last_event_id: Optional[str] = None
        self.ended = False

    def next_item(self) -> Union[Event, Comment, None]:
        """The next event or comment; None once the server ends the stream."""
        name, data, seen_data, event_id = "", [], False, None
        while True:
            raw = self.response.readline()
            if not raw:
                self.ended = True
                return None
            line = raw.decode("utf-8").rstrip("\r\n")
            if line == "":
                if seen_data:
                    if event_id is not None:
                        self.last_event_id = event_id
                    return Event(name or "message", "\n".join(data), event_id)
                name, event_id = "", None
                continue
            if line.startswith(":"):
                return Comment(line[1:].lstrip(" "))
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
                seen_data = True
            elif field == "id" and "\0" not in value:
                event_id = value
            elif field == "retry" and value.isdigit():
                self.retry = int(value)

    def next_event(self) -> Optional[Event]:
        """The next event, skipping comments (heartbeats)."""
        while True:
            item = self.next_item()
            if item is None or isinstance(item, Event):
                return item

    def events(self, count: int) -> list[Event]:
        return [self.next_event() for _ in range(count)]

    def until(self, name: str) -> list[Event]:
        """Events up to and including the first one called ``name``."""
        seen = []
        while True:
            event = self.next_event()
            assert event is not None, f"stream ended before {name}; got {[e.name for e in seen]}"
            seen.append(event)
            if event.name == name:
                return seen

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
