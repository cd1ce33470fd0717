"""Unexpected failures still answer with a problem document, never a stack trace."""
import pytest




@pytest.fixture
def failing_client(other_app):
    other = other_app(TESTING=False)

    @other.get("/api/_test_boom")
    def boom():
        raise RuntimeError("secret internals")

    return other.test_client()


def test_unhandled_exception_is_a_500_problem_without_details(failing_client):
    response = failing_client.get("/api/_test_boom")
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "secret internals" not in response.get_data(as_text=True)


def test_request_id_is_echoed_or_generated(client):
    assert client.get("/api/openapi.json", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    generated = client.get("/api/openapi.json", headers={"X-Request-ID": "bad id with spaces"}).headers["X-Request-ID"]
    assert generated and " " not in generated
