"""Shared steps for the console browser tests."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.admin.conftest import PASSWORD

WAIT_MS = 20_000  # generous: the machine is shared; this is not a speed assertion


def sign_in(page, base_url: str, user, path: str = "/admin/incidents") -> None:
    """Sign in with the keyboard only and land on ``path``."""
    page.goto(f"{base_url}/admin/login?next={path}")
    # The email field has autofocus; on a busy machine wait until it has it.
    expect(page.locator("input[type=email]")).to_be_focused(timeout=WAIT_MS)
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}{path}", timeout=WAIT_MS)


def submit(page, button) -> None:
    """Click a form's submit ``button`` and wait for the page the post leads to.

    Without the wait the next step can act on the page being left: a live refresh may
    already show the post's effect there, and a click on it is lost when the new page
    replaces it.
    """
    with page.expect_navigation(wait_until="load", timeout=WAIT_MS):
        button.click()


def stream_open(page) -> None:
    expect(page.locator("main[data-stream='open']")).to_have_count(1, timeout=WAIT_MS)


def tab_to(page, name: str, limit: int = 60) -> None:
    """Press Tab until the focused element's text or label is ``name``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        label = page.evaluate("(document.activeElement.innerText || document.activeElement.value || '').trim()")
        if label == name:
            return
    raise AssertionError(f"{name!r} never received focus")
