"""The console stays English whatever the browser asks for (its strings are marked)."""


def test_the_console_stays_english(console):
    page = console.get("/admin/incidents", headers={"Accept-Language": "de"})
    assert page.status_code == 200
    assert "Content-Language" not in page.headers
    assert "Aktuelle" not in page.text
