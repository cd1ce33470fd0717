"""Security headers on every response, and sanitised Markdown."""
import pytest

from statuspage.markdown import EMAIL, render
from tests.conftest import make_incident


@pytest.mark.parametrize("path", ["/status", "/api/public/status", "/api/incidents", "/nope",
                                  "/static/css/tokens.css", "/status/incidents/999", "/history.atom",
                                  "/api/openapi.json"])
def test_headers_everywhere(client, path):
    response = client.get(path)
    response.close()
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_over_https(client, other_app):
    direct = client.get("/status", base_url="https://status.test")
    assert direct.headers["Strict-Transport-Security"].startswith("max-age=")
    forged = client.get("/status", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in forged.headers  # no proxy is trusted by default
    behind_proxy = other_app(TRUSTED_PROXIES=1).test_client()
    proxied = behind_proxy.get("/status", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in proxied.headers


def test_only_the_embed_may_be_framed(client):
    assert "frame-ancestors *" in client.get("/status/embed").headers["Content-Security-Policy"]


@pytest.mark.parametrize("source, forbidden", [
    ("<script>alert(1)</script>", "<script"),
    ("[x](javascript:alert(1))", 'href="javascript'),
    ('<a href="javascript:alert(1)">x</a>', "<a "),
    ('<img src=x onerror="alert(1)">', "<img"),
    ("<iframe src='//evil'></iframe>", "<iframe"),
])
def test_markdown_is_sanitised(source, forbidden):
    assert forbidden not in str(render(source))


def test_markdown_renders_the_useful_parts():
    html = str(render("# Title\n\n**bold** and [link](https://example.com)\n\n- a\n- b\n\n`code`"))
    assert "<h3>Title</h3>" in html
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.com"' in html and 'rel="nofollow noopener noreferrer"' in html
    assert "<li>a</li>" in html and "<code>code</code>" in html
    assert str(render("")) == "" and str(render(None)) == ""


def test_the_email_profile_keeps_the_page_tags_and_drops_what_mail_should_not_carry():
    source = ("# Title\n\n![pixel](https://t.example/p.gif) [link](https://example.com)\n\n"
              "<script>x</script>")
    html = str(render(source, EMAIL))
    assert "<h3>Title</h3>" in html  # under the email's own heading, as on the page
    assert html == str(render(source)).replace("nofollow ", "")
    assert "<img" not in html and "<script" not in html
    assert 'rel="noopener noreferrer"' in html


def test_update_bodies_are_sanitised_on_the_page(client, api):
    make_incident(api, title="XSS attempt", summary="<script>alert('x')</script> hello")
    page = client.get("/status").get_data(as_text=True)
    assert "<script>alert" not in page


def test_a_view_may_tighten_a_header(app):
    from flask import Response

    from statuspage.security import _apply

    with app.test_request_context("/subscriptions/manage/x"):
        response = _apply(Response(headers={"Referrer-Policy": "no-referrer"}))
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
