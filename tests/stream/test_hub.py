"""Hub building blocks: stream ids, entries per audience, bounded subscriber queues."""
from statuspage.extensions import redis_client
from statuspage.stream.hub import Entry, Subscriber, parse_id


def test_parse_id():
    assert parse_id("1700000000000-3") == (1700000000000, 3)
    assert parse_id("0-0") == (0, 0)
    for bad in ("", "1", "1-", "-1", "a-b", "1-2-3", " 1-2", "1-2\n", "9" * 21 + "-0",
                "18446744073709551616-0"):
        assert parse_id(bad) is None, bad
    assert parse_id(None) is None


def test_entry_frames_per_audience():
    internal = Entry.from_redis(b"5-1", {b"outbox_id": b"1", b"event": b"INCIDENT_UPDATE_POSTED",
                                         b"admin": b'{"x":1}', b"public": b""})
    assert internal.frame("public") is None
    assert internal.frame("admin") == b'event: INCIDENT_UPDATE_POSTED\nid: 5-1\ndata: {"x":1}\n\n'
    public = Entry.from_redis(b"6-0", {b"event": b"E", b"admin": b"{}", b"public": b'{"p":1}'})
    assert public.key == (6, 0)
    assert public.frame("public") == b'event: E\nid: 6-0\ndata: {"p":1}\n\n'


def test_a_subscriber_that_falls_behind_is_dropped_not_blocking():
    subscriber = Subscriber(maxsize=2)
    entry = Entry("1-0", (1, 0), "E", "{}", None)
    assert subscriber.offer(entry) and subscriber.offer(entry)
    assert not subscriber.offer(entry)
    assert subscriber.dropped


def test_a_subscriber_is_only_woken_by_entries_its_audience_may_see(app):
    hub = app.extensions["stream_hub"]
    public, admin = hub.subscribe(audience="public"), hub.subscribe(audience="admin")
    try:
        key = app.config["STREAM_KEY"]
        redis_client.client.xadd(key, {"event": "INCIDENT_CREATED", "admin": "{}", "public": ""})
        last = redis_client.client.xadd(key, {"event": "COMPONENT_UPDATED", "admin": "{}",
                                              "public": '{"p":1}'}).decode()
        admin_seen = [admin.queue.get(timeout=5).id for _ in range(2)]
        assert admin_seen[-1] == last
        assert public.queue.get(timeout=5).id == last  # the internal entry never reached it
        assert public.queue.empty()
    finally:
        hub.unsubscribe(public)
        hub.unsubscribe(admin)


def test_the_reader_lets_others_run_between_slices_of_subscribers(app, monkeypatch):
    # Under gevent the reader is a greenlet: without these yields a request arriving while
    # thousands of streams are woken would wait for every one of their writes.
    from statuspage.stream import hub as hub_module

    hub = app.extensions["stream_hub"]
    yields = []
    monkeypatch.setattr(hub_module, "_let_others_run", lambda: yields.append("yield"))
    subscribers = [hub.subscribe(audience="public") for _ in range(2 * hub_module._SLICE + 1)]
    try:
        entries = [Entry(f"{n}-0", (n, 0), "E", "{}", '{"p":1}') for n in (7, 8)]
        hub._dispatch(entries)
        assert yields == ["yield", "yield"]
        # Entries read together reach each subscriber together, in order.
        assert all([s.queue.get_nowait().id, s.queue.get_nowait().id] == ["7-0", "8-0"]
                   for s in subscribers)
    finally:
        for subscriber in subscribers:
            hub.unsubscribe(subscriber)
