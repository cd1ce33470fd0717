"""The SSRF-guarded outbound client against a real receiver process."""
from __future__ import annotations

import pytest

from statuspage import outbound
from tests.receiver import Receiver, receiver  # noqa: F401  (fixture)
from tests.stream.servers import free_port


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.5.4", "192.168.1.1", "100.64.0.1",
    "169.254.169.254", "169.254.1.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "240.0.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "fd00:ec2::254", "ff02::1",
    "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "64:ff9b::7f00:1",
    "fe80::1%eth0",
])
def test_internal_addresses_are_refused(address):
    assert outbound.refusal(address) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111",
                                     "::ffff:93.184.216.34"])
def test_public_addresses_pass(address):
    assert outbound.refusal(address) is None


def test_allowing_private_still_refuses_metadata_and_non_unicast():
    assert outbound.refusal("127.0.0.1", allow_private=True) is None
    assert outbound.refusal("10.0.0.1", allow_private=True) is None
    for address in ("169.254.169.254", "fd00:ec2::254", "0.0.0.0", "::", "224.0.0.1",
                    "::ffff:169.254.169.254"):
        assert outbound.refusal(address, allow_private=True) is not None, address


def test_a_name_resolving_to_loopback_is_refused_with_the_guard_on():
    # localhost resolves through the system resolver (/etc/hosts) to 127.0.0.1.
    with pytest.raises(outbound.Refused, match="loopback"):
        outbound.check_url(f"http://localhost:{free_port()}/hook")
    with pytest.raises(outbound.Refused, match="loopback"):
        outbound.check_url("https://hooks.example.com/x", resolver=lambda h, p: ["127.0.0.1"])


def test_one_refused_address_among_several_refuses_the_name():
    with pytest.raises(outbound.Refused):
        outbound.check_url("https://mixed.example.com/", resolver=lambda h, p: ["1.1.1.1", "10.0.0.5"])


@pytest.mark.parametrize("url", [
    "ftp://example.com/", "file:///etc/passwd", "gopher://x/", "javascript:alert(1)",
    "https://", "https://user:pw@example.com/", "http://exa mple.com/", "not a url",
    "http://example.com:99999/", "https://example.com/" + "a" * 3000, None, 42,
])
def test_malformed_or_non_http_urls_are_refused(url):
    with pytest.raises(outbound.Refused):
        outbound.check_url(url, resolver=lambda h, p: ["1.1.1.1"])


def test_unresolvable_host_is_refused():
    def nowhere(host, port):
        raise OSError("no such host")

    with pytest.raises(outbound.Refused, match="does not resolve"):
        outbound.check_url("https://nowhere.example/", resolver=nowhere)


def test_connects_to_the_checked_address_with_one_lookup_and_the_name_as_host(receiver):
    lookups = []

    def resolver(host, port):
        lookups.append(host)
        return ["127.0.0.1"]

    url = f"http://receiver.test:{receiver.port}/status/200?x=1"
    answer = outbound.post(url, b'{"a": 1}', {"Content-Type": "application/json"},
                           allow_private=True, resolver=resolver)
    assert answer.status == 200 and answer.body == b'{"status": 200}'
    assert lookups == ["receiver.test"]
    got = receiver.requests("/status/200?x=1")[-1]
    assert got["headers"]["host"] == f"receiver.test:{receiver.port}"
    assert got["body"] == b'{"a": 1}' and got["method"] == "POST"


def test_the_guard_applies_when_sending(receiver):
    with pytest.raises(outbound.Refused):
        outbound.post(receiver.url("/status/200"), b"{}")
    assert not receiver.requests("/status/200?guard")


def test_redirects_are_not_followed(receiver):
    before = len(receiver.requests("/status/"))
    answer = outbound.post(receiver.url("/status/302"), b"{}", allow_private=True)
    assert answer.status == 302 and answer.headers["location"] == "/status/200"
    assert len(receiver.requests("/status/")) == before + 1


def test_the_answer_is_read_only_up_to_the_bound(receiver):
    answer = outbound.post(receiver.url("/anything"), b"{}", allow_private=True, max_body=5)
    assert answer.body == b'{"ok"'


def test_a_slow_receiver_runs_into_the_total_timeout(receiver):
    with pytest.raises(outbound.OutboundError, match="No complete answer"):
        outbound.post(receiver.url("/slow/3"), b"{}", allow_private=True, total_timeout=0.5)


def test_a_closed_port_is_an_outbound_error():
    with pytest.raises(outbound.OutboundError):
        outbound.post(f"http://127.0.0.1:{free_port()}/", b"{}", allow_private=True)


def test_redacted_urls_keep_only_scheme_and_host():
    assert outbound.redact_url("https://hooks.slack.com/services/T0/B0/XYZ") == "https://hooks.slack.com/…"
    assert outbound.redact_url("https://example.com/") == "https://example.com/"
    assert outbound.redact_url("http://[::1") == "[redacted url]"


def _self_signed(directory, name: str) -> tuple[str, str]:
    """A certificate for ``name`` (and its key), written to ``directory``."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def test_https_checks_the_certificate_against_the_name_while_connecting_to_the_checked_address(tmp_path):
    import ssl

    cert, key = _self_signed(tmp_path, "hooks.receiver.test")
    server = Receiver(tls=(cert, key))
    try:
        trusted = ssl.create_default_context(cafile=cert)
        to_loopback = lambda host, port: ["127.0.0.1"]  # noqa: E731
        answer = outbound.post(f"https://hooks.receiver.test:{server.port}/status/201", b"{}",
                               allow_private=True, resolver=to_loopback, ssl_context=trusted)
        assert answer.status == 201
        # Another name on the same address: the certificate does not match it.
        with pytest.raises(outbound.OutboundError, match="CERTIFICATE_VERIFY_FAILED|match"):
            outbound.post(f"https://other.receiver.test:{server.port}/status/201", b"{}",
                          allow_private=True, resolver=to_loopback, ssl_context=trusted)
    finally:
        server.stop()
