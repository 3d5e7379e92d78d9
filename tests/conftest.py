"""
Shared fixtures. Browser tests (marker `browser`) drive Debian's chromium through Playwright; PostgreSQL
tests (marker `postgres`) need DATABASE_URL to point at PostgreSQL. Without either, those tests are skipped
with the reason, except under CI=true, where a skip is turned into a failure.
"""

import os
import shutil

import pytest
from django.db import connection

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason):
    if IN_CI:
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _requirements(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://user@host:port/name")
    if request.node.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        skip_or_fail(f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's chromium, never a browser downloaded by Playwright (there is no network for it).
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser(django_db_setup, browser):
    # Playwright's event loop lives in the test thread from the first browser test to the end of the session,
    # and the ORM refuses to run beside one: create the test database first, and allow the ORM for as long as
    # the loop lives (including the database flush after a transactional browser test).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield browser


@pytest.fixture(autouse=True)
def _allow_sync_orm_in_browser_tests(request, monkeypatch):
    # Playwright's sync API runs an event loop in the test thread; the ORM refuses to run there otherwise.
    if request.node.get_closest_marker("browser"):
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from articles.cache import forget_local

    cache.clear()
    forget_local()  # the generation and pages this process keeps in memory, as a fresh worker would
    yield
    cache.clear()
    forget_local()
