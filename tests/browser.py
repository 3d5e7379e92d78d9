"""Helpers of the browser tests (Debian's chromium through Playwright, tests/conftest.py)."""

import pytest
from playwright.sync_api import expect

from tests.conftest import SQLITE_LIVE_SERVER_LOCK


@pytest.fixture(autouse=True, scope="module")
def orm_inside_playwrights_loop():
    """
    Import it into a browser test module: the test's ORM calls run inside Playwright's event loop. Module
    scope, so it is still set while pytest-django flushes the database after the test (function teardown).
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


def log_in(page, live_server, username, password=None):
    """Log `page` in to the admin as `username` (the test users' password is pw-<username>)."""
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password or f"pw-{username}")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(username)
    return page


def wait_for(find, page, what, seconds=20):
    """
    The first truthy `find()` within `seconds`: for what a page does on its own clock (autosave). `find`
    reads the database between the live server's requests (SQLITE_LIVE_SERVER_LOCK: one shared connection).
    """
    for _ in range(seconds * 10):
        with SQLITE_LIVE_SERVER_LOCK:
            found = find()
        if found:
            return found
        page.wait_for_timeout(100)
    raise AssertionError(f"not {what} within {seconds} s")
