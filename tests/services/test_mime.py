"""The hand-assembled MIME message parses back as a standard one."""
from __future__ import annotations

import email
import email.policy

import pytest

from statuspage.services.email.mime import Body, Outgoing, _qp, wire_address


def test_roundtrip_non_ascii_and_no_header_injection():
    built = Outgoing({"Subject": "Panne: paiements\r\nBcc: victim@example.com", "To": "a@example.com",
                      "Message-ID": "<x@y>", "X-Note": "Grüße"},
                     "Ligne 1 = égal\n.leading dot\n" + "z" * 200 + "\n", "<p>é</p>")
    parsed = email.message_from_bytes(built.as_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "Panne: paiements Bcc: victim@example.com"
    assert parsed["Bcc"] is None
    assert parsed["X-Note"] == "Grüße"
    text = parsed.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text == "Ligne 1 = égal\n.leading dot\n" + "z" * 200 + "\n"
    assert parsed.get_body(("html",)).get_content().strip() == "<p>é</p>"
    assert all(len(line) <= 78 for line in built.as_bytes().split(b"\r\n"))


@pytest.mark.parametrize("address, wire", [
    ("a@example.com", "a@example.com"),
    ("ana@bücher.example", "ana@xn--bcher-kva.example"),  # IDNA: plain SMTP can carry it
    ("jösé@example.com", "jösé@example.com"),  # only SMTPUTF8 can
    ("x@ü..example", "x@ü..example"),  # no IDNA form: left for SMTPUTF8 to carry or refuse
])
def test_wire_address(address, wire):
    assert wire_address(address) == wire


def test_a_non_ascii_recipient_header_is_utf8_not_an_encoded_word():
    built = Outgoing({"To": "jösé@example.com", "Subject": "é"}, "t\n", "<p>h</p>")
    assert "To: jösé@example.com\r\n".encode() in built.as_bytes()
    assert email.message_from_bytes(built.as_bytes(), policy=email.policy.default)["Subject"] == "é"


@pytest.mark.parametrize("text", [
    "Hello @@TO@@,\nUnsubscribe: @@URL@@\n",
    "trailing space \n@@URL@@ \n.\n.dot\n" + "é" * 90 + "\nlast line without newline @@TO@@",
    "\r\nwindows\r\nline @@URL@@ and @@URL@@ again=\rold mac\n\n\n",
    "<a href=\"@@URL@@\">" + "x" * 70 + "@@TO@@</a>\n\tTabbed\t\n",
    "no marker at all\n",
])
def test_a_body_encoded_once_gives_the_bytes_of_encoding_the_filled_in_part(text):
    values = {"@@TO@@": "jösé@example.com", "@@URL@@": "http://status.test/u/" + "Wz" * 40}
    filled = text
    for marker, value in values.items():
        filled = filled.replace(marker, value)
    assert Body(text, values).encode(values) == _qp(filled)
