"""
Fixtures for the public site's quality checks: a small but complete site to look at, and the npm tools that
judge it (axe-core in the browser, the Nu HTML checker under java).

The tools are installed on first use into var/npm (gitignored), so a fresh clone needs nothing by hand.
Without npm, java or chromium the checks are skipped with the reason, except under CI=true, where that is
a failure.
"""

import datetime
import fcntl
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests.conftest import skip_or_fail
from tests.factories import make_article, make_author, make_section, make_tag

NPM_PREFIX = Path(settings.BASE_DIR) / "var" / "npm"
NPM_PACKAGES = ["axe-core@4", "vnu-jar"]
AXE_JS = NPM_PREFIX / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = NPM_PREFIX / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
FIGURE_PATH = "/figure.png"  # the browser tests answer it with a real image


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


@pytest.fixture
def public_site(db):
    """
    One of each public page, with the parts that tend to break accessibility: several bylines and roles,
    many tags, a long dek, pagination, body markup (headings, lists, a quote, a table, a link, an image).
    Returns {page name: path}.
    """
    now = timezone.now()
    politics = make_section("Politics", description="Parliament, elections and the people in power.")
    make_section("Science")
    reporter = make_author("Rebecca Beitsch", bio="Covers national security and the courts.")
    colleague = make_author("Ellen Mitchell")
    photographer = make_author("Greg Nash")
    russia = make_tag("Russia", description="The country, its government and its armed forces.")
    tags = [russia, *(make_tag(f"Topic {n}") for n in range(7))]
    article = make_article(
        "Milley discussed Putin offer with Russian counterpart",
        dek="The chairman of the Joint Chiefs of Staff met his counterpart in Helsinki, a report says.",
        body=(
            "<p>Gen. Mark Milley <a href='https://example.com/report'>discussed</a> the offer.</p>"
            "<h2>What was said</h2><blockquote><p>We talked.</p></blockquote>"
            "<ul><li>One point</li><li>Another</li></ul>"
            f"<figure><img src='{FIGURE_PATH}' alt='The two generals shaking hands' width='640' height='360'>"
            "<figcaption>Helsinki, 2021.</figcaption></figure>"
            "<table><caption>Troops</caption><thead><tr><th scope='col'>Year</th><th scope='col'>Number</th>"
            "</tr></thead><tbody><tr><td>2021</td><td>2,500</td></tr></tbody></table>"
        ),
        section=politics,
        published_at=now - datetime.timedelta(hours=2),
        updated_at=now - datetime.timedelta(hours=1),
        authors=[reporter, colleague, photographer],
        tags=tags,
    )
    for n in range(25):  # more than one page of stories everywhere
        make_article(
            f"Earlier story {n}", dek=f"Dek {n}", section=politics, authors=[reporter], tags=[russia]
        )
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "tag": russia.get_absolute_url(),
        "tag-page-2": russia.get_absolute_url() + "?page=2",
        "author": reporter.get_absolute_url(),
        "section": politics.get_absolute_url(),
        "authors": "/authors/",
        "search": "/search/?q=Milley+offer",
        "search-empty": "/search/?q=",
        "search-no-results": "/search/?q=zanzibar",
        "404": "/no-such-page/",
    }
