"""The components screen in a real Chromium: inline status, all operational, ordering, archive."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import AuditEvent, Component
from tests.admin.conftest import PASSWORD
from tests.browser.admin_helpers import WAIT_MS, sign_in, stream_open
from tests.conftest import make_component, make_user

pytestmark = pytest.mark.browser


def _order() -> list[str]:
    db.session.expire_all()
    return [c.name for c in db.session.scalars(select(Component).where(Component.active)
                                                .order_by(Component.position, Component.id))]


def _admin(live_server, watched, path="/admin/components"):
    watch = watched()
    sign_in(watch.page, live_server.url, make_user("admin", password=PASSWORD), path)
    return watch


def test_inline_status_and_all_operational_in_one_audited_change(live_server, watched, api):
    a, b, _ = (make_component(api, n) for n in ("API", "Web", "CDN"))
    watch = _admin(live_server, watched)
    page = watch.page
    row = page.locator(f"#component-{a['id']}")
    expect(row.get_by_role("combobox", name="Status of API")).to_be_visible()  # no disclosure first
    row.get_by_role("combobox", name="Status of API").select_option("major_outage")
    row.get_by_role("button", name="Set status").click()
    expect(page.locator(f"#component-{a['id']} .chip")).to_have_text("Major outage", timeout=WAIT_MS)
    api.patch(f"/api/components/{b['id']}", json={"status": "degraded_performance"})
    page.reload()
    before = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    page.get_by_role("button", name="Mark all operational").click()
    expect(page.locator(f"#component-{b['id']} .chip")).to_have_text("Operational", timeout=WAIT_MS)
    db.session.expire_all()
    assert {c.status for c in db.session.scalars(select(Component))} == {"operational"}
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).all()
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == before + 1
    assert rows[0].action == "component.all_operational"
    assert set(rows[0].before) == {str(a["id"]), str(b["id"])}
    assert watch.errors == [] and watch.csp_violations() == []


def test_order_with_move_buttons_and_by_dragging(live_server, watched, api):
    for name in ("API", "Web", "CDN"):
        make_component(api, name)
    watch = _admin(live_server, watched)
    page = watch.page
    # The moves are form posts: wait for the answer's page, or the live refresh of the page
    # being left could show the new order and the next key press be lost with that page.
    with page.expect_navigation():
        page.get_by_role("button", name="Move CDN up").click()
    expect(page.locator(".component-row .name")).to_have_text(["API", "CDN", "Web"], timeout=WAIT_MS)
    assert _order() == ["API", "CDN", "Web"]
    page.get_by_role("button", name="Move API down").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".component-row .name")).to_have_text(["CDN", "API", "Web"], timeout=WAIT_MS)
    stream_open(page)
    # Grab the row by its edge (its controls are not drag handles).
    page.locator(".component-row", has_text="Web").drag_to(page.locator(".component-row", has_text="CDN"),
                                                          source_position={"x": 2, "y": 4}, target_position={"x": 2, "y": 4})
    expect(page.locator(".component-row .name")).to_have_text(["Web", "CDN", "API"], timeout=WAIT_MS)
    saved = None
    for _ in range(100):  # the drop saves in the background; poll with a deadline
        saved = _order()
        if saved == ["Web", "CDN", "API"]:
            break
        page.wait_for_timeout(100)
    assert saved == ["Web", "CDN", "API"]
    assert watch.errors == [] and watch.csp_violations() == []


def test_a_live_refresh_keeps_the_keyboards_place_on_a_move_button(live_server, watched, api):
    _, web = (make_component(api, n) for n in ("API", "Web"))
    page = _admin(live_server, watched).page
    stream_open(page)
    page.get_by_role("button", name="Move API down").focus()
    api.patch(f"/api/components/{web['id']}", json={"status": "major_outage"})  # redraws the list
    expect(page.locator(f"#component-{web['id']} .chip")).to_have_text("Major outage", timeout=WAIT_MS)
    expect(page.get_by_role("button", name="Move API down")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".component-row .name")).to_have_text(["Web", "API"], timeout=WAIT_MS)


def test_groups_have_no_bare_delete_and_components_archive(live_server, watched, api):
    group = api.post("/api/component-groups", json={"name": "Core"}).json
    make_component(api, "API", group_id=group["id"])
    page = _admin(live_server, watched).page
    expect(page.get_by_role("button", name="Delete group Core")).to_be_hidden()  # behind a disclosure
    page.locator("#component-list summary", has_text="Edit").click()  # rare and destructive: one step away
    page.get_by_role("button", name="Archive API").click()
    expect(page.locator("#archived-components")).to_contain_text("API", timeout=WAIT_MS)
