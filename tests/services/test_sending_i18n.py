"""Internationalised addresses: sent with SMTPUTF8 when the server offers it, failed at once
(with a reason) when it does not; a non-ASCII domain alone needs neither (IDNA)."""
from __future__ import annotations

from tests.conftest import make_incident
from tests.helpers_subs import deliveries, make_subscriber, subscriber

UNICODE_LOCAL = "jösé@example.com"
UNICODE_DOMAIN = "ana@bücher.example"


def _notify(api, *emails):
    for email in emails:
        make_subscriber(email)
    make_incident(api)


def _by_address():
    return {row.to_address: row for row in deliveries()}


def test_an_internationalised_address_is_sent_with_smtputf8_when_offered(api, smtp, run_worker):
    sink = smtp.start(smtputf8=True)
    _notify(api, UNICODE_LOCAL)
    run_worker()
    [row] = deliveries()
    assert (row.status, row.attempts, row.last_error) == ("SENT", 1, None)
    [envelope] = sink.envelopes
    assert envelope.rcpt_tos == [UNICODE_LOCAL]
    assert "SMTPUTF8" in envelope.mail_options
    [message] = sink.messages
    assert message["To"] == UNICODE_LOCAL  # a UTF-8 header, not an encoded word


def test_without_smtputf8_it_fails_at_once_with_a_reason_and_the_rest_go_out(api, smtp, run_worker):
    sink = smtp.start()
    _notify(api, UNICODE_LOCAL, "plain@example.com")
    run_worker()
    rows = _by_address()
    failed = rows[UNICODE_LOCAL]
    assert (failed.status, failed.attempts) == ("FAILED", 1)
    assert "SMTPUTF8" in failed.last_error and "internationalised" in failed.last_error
    assert rows["plain@example.com"].status == "SENT"
    assert [e.rcpt_tos for e in sink.envelopes] == [["plain@example.com"]]
    # The address is fine; this server just cannot carry it: no suppression.
    assert subscriber(UNICODE_LOCAL).suppressed_at is None


def test_a_non_ascii_domain_goes_out_in_its_ascii_form_without_smtputf8(api, smtp, run_worker):
    sink = smtp.start()
    _notify(api, UNICODE_DOMAIN)
    run_worker()
    [row] = deliveries()
    assert row.status == "SENT"
    [envelope] = sink.envelopes
    assert envelope.rcpt_tos == ["ana@xn--bcher-kva.example"]
    assert "SMTPUTF8" not in envelope.mail_options
    assert sink.messages[0]["To"] == "ana@xn--bcher-kva.example"
