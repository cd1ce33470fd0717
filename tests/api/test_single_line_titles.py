"""Titles are one line: a newline in one is refused with 422 on create and on update."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import make_incident
from tests.helpers import assert_problem, counts

BROKEN = ["Line one\nX-Injected: yes", "carriage\rreturn", "crlf\r\nhere", "sep\u2028arator"]


def _window(**fields) -> dict:
    start = datetime.now(timezone.utc) + timedelta(hours=1)
    return {"title": "DB upgrade", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(), **fields}


@pytest.mark.parametrize("title", BROKEN)
def test_multi_line_titles_are_refused(api, title):
    incident = make_incident(api)
    window = api.post("/api/maintenances", json=_window()).json
    template = api.post("/api/templates", json={"name": "T", "title": "One line"}).json
    before = counts()
    for method, path, body in [
        ("post", "/api/incidents", {"title": title, "severity": "SEV3"}),
        ("patch", f"/api/incidents/{incident['id']}", {"title": title}),
        ("post", "/api/maintenances", _window(title=title)),
        ("patch", f"/api/maintenances/{window['id']}", {"title": title}),
        ("post", "/api/templates", {"name": "T2", "title": title}),
        ("patch", f"/api/templates/{template['id']}", {"title": title}),
        ("post", "/api/templates", {"name": title}),
    ]:
        problem = assert_problem(getattr(api, method)(path, json=body), 422)
        assert set(problem["errors"]) & {"title", "name"}, (path, problem)
    assert counts() == before

