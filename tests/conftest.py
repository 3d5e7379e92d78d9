"""
Shared fixtures. Browser tests (marker `browser`) drive Debian's chromium through Playwright; PostgreSQL
tests (marker `postgres`) need DATABASE_URL to point at PostgreSQL. Without either, those tests are skipped
with the reason, except under CI=true, where a skip is turned into a failure.

The npm tools that judge pages (axe-core in the browser, the Nu HTML checker under java) are installed on
first use into var/npm (gitignored), so a fresh clone needs nothing by hand.
"""

import fcntl
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread

from tests.shared_fixtures import (  # noqa: F401  (fixtures, shared by every app's tests)
    editor,
    newsroom,
    other_reporter,
    publisher,
    ready_article,
    reporter,
    superuser,
    users,
    worker,
)

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
    # Checked here too: the session's browser is launched before the autouse fixture above runs.
    if not shutil.which(CHROMIUM):
        skip_or_fail(f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
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
def _two_factor_only_in_its_own_tests(request, settings):
    # Two-factor is required of editors and publishers (accounts/two_factor.py): tests/accounts/ checks it
    # with the real default. The other apps' tests log those roles into the admin to test the desk, not the
    # login.
    if "accounts" not in request.node.path.parts:
        settings.OTP_REQUIRED_ROLES = []


# Held by the SQLite live server while it answers a request; a test reading the database while a page works
# on its own clock (tests.browser.wait_for) takes it too, since the test shares the server's connection.
SQLITE_LIVE_SERVER_LOCK = threading.RLock()


class _OneRequestAtATime(WSGIServer):
    """
    The live server for an in-memory SQLite database, which its request threads all share: one sqlite3
    connection used by two threads at once fails ("bad parameter or other API misuse"), as a page polling
    while another posts did. Unthreaded, Django's server closes each connection after its response, so a
    browser's keep-alive connections cannot hold it. The test's own thread shares that connection too: a
    read of it during an autosave POST failed with "database table is locked" (SQLITE_LIVE_SERVER_LOCK).
    """

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)  # the server thread itself runs on the overridden connections

    def process_request(self, request, client_address):
        with SQLITE_LIVE_SERVER_LOCK:
            super().process_request(request, client_address)


@pytest.fixture(scope="session", autouse=True)
def _live_server_one_request_at_a_time_on_sqlite():
    if connection.vendor != "sqlite":
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LiveServerThread, "server_class", _OneRequestAtATime)
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from public.cache import forget_local

    cache.clear()
    forget_local()  # the generation and pages this process keeps in memory, as a fresh worker would
    yield
    cache.clear()
    forget_local()


NPM_PREFIX = Path(settings.BASE_DIR) / "var" / "npm"
NPM_PACKAGES = ["axe-core@4", "vnu-jar"]
AXE_JS = NPM_PREFIX / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = NPM_PREFIX / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="session")
def npm_tools():
    """Install axe-core and vnu-jar into var/npm unless they are there; one installer at a time."""
    if AXE_JS.exists() and VNU_JAR.exists():
        return
    npm = shutil.which("npm")
    if not npm:
        skip_or_fail("needs npm to install axe-core and vnu-jar (apt-get install npm)")
    NPM_PREFIX.mkdir(parents=True, exist_ok=True)
    with open(NPM_PREFIX / ".install-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if AXE_JS.exists() and VNU_JAR.exists():
            return
        command = [npm, "install", "--no-audit", "--no-fund", "--prefix", str(NPM_PREFIX), *NPM_PACKAGES]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            skip_or_fail(f"`{' '.join(command)}` took more than 10 minutes")
        if result.returncode or not (AXE_JS.exists() and VNU_JAR.exists()):
            skip_or_fail(f"`{' '.join(command)}` failed ({result.returncode}): {result.stderr[-2000:]}")


@pytest.fixture(scope="session")
def axe_source(npm_tools):
    return AXE_JS.read_text()


@pytest.fixture(scope="session")
def vnu_command(npm_tools):
    java = shutil.which("java")
    if not java:
        skip_or_fail("needs java for the Nu HTML checker (apt-get install default-jre-headless)")
    return [java, "-Xss8m", "-jar", str(VNU_JAR)]


BLOCKING = {"serious", "critical"}  # axe-core impacts a page must not have


def axe_violations(page, axe_source):
    page.evaluate(axe_source)  # not add_script_tag: the page's CSP blocks injected inline scripts
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)
        }))"""
    )
