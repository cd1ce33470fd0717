"""The hand-assembled MIME message parses back as a standard one."""
from __future__ import annotations

import email
import email.policy

from statuspage.services.email.mime import Outgoing


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
