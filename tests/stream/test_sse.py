"""The text/event-stream wire format, checked against the WHATWG parsing rules."""
from statuspage.stream import sse


def test_event_has_name_id_and_one_data_line_per_line():
    assert sse.event('{"a": 1}', "INCIDENT_CREATED", "5-0") == (
        b'event: INCIDENT_CREATED\nid: 5-0\ndata: {"a": 1}\n\n')
    assert sse.event("one\r\ntwo\rthree\nfour") == (
        b"data: one\ndata: two\ndata: three\ndata: four\n\n")


def test_line_breaks_and_nul_cannot_forge_fields():
    assert sse.event("x", "A\nid: 9", "1-0\r\ndata: forged\0") == (
        b"event: A id: 9\nid: 1-0 data: forged\ndata: x\n\n")


def test_comments_and_retry():
    assert sse.comment("heartbeat") == b": heartbeat\n\n"
    assert sse.comment("a\nb") == b": a\n: b\n\n"
    assert sse.retry(2500.7) == b"retry: 2500\n\n"
    assert sse.event("", id="") == b"id: \ndata: \n\n"
