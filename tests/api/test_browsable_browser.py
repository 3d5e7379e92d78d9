"""
In a real browser: the API's HTML documentation renders under the site's strict CSP, with no violation,
no script error and nothing fetched from another host. The documentation is DRF's browsable API
(`?format=api`: each endpoint's description, its filters and its live JSON), served from our own static
files; drf-spectacular's Swagger UI and Redoc are not installed (they load from a CDN: docs/api.md).
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser import orm_inside_playwrights_loop  # noqa: F401
from tests.factories import make_article, make_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script, outside the page's CSP: records every violation the browser reports.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


def open_and_watch(browser, url):
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    problems = {"requested": [], "failed": [], "console": [], "errors": []}
    page.on("request", lambda request: problems["requested"].append(request.url))
    page.on(
        "response",
        lambda answer: (
            answer.status >= 400
            and not answer.url.endswith("/favicon.ico")  # the browser's own request; the site has none
            and problems["failed"].append(f"{answer.status} {answer.url}")
        ),
    )
    page.on("console", lambda m: m.type in ("error", "warning") and problems["console"].append(m.text))
    page.on("pageerror", lambda error: problems["errors"].append(str(error)))
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    return context, page, response, problems


def assert_clean(page, response, problems, live_server):
    assert response.status == 200
    assert "content-security-policy" in response.headers  # the site's CSP, not a relaxed one
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert page.evaluate("window.cspViolations") == []
    assert problems["failed"] == []
    # Chromium logs the favicon's 404 too (checked above, by URL, in "failed").
    console = [text for text in problems["console"] if "status of 404" not in text]
    assert console == []
    assert problems["errors"] == []
    local = urlsplit(live_server.url).hostname
    off_host = [url for url in problems["requested"] if urlsplit(url).hostname != local]
    assert off_host == []
    assert len(problems["requested"]) > 1  # the page did load its own stylesheets and scripts


@pytest.mark.parametrize(
    "path",
    ["/api/v1/articles/", "/api/v1/articles/{article}/", "/api/v1/sections/", "/api/v1/tags/"],
)
def test_the_browsable_api_renders_without_csp_violations_or_off_host_requests(live_server, browser, path):
    section = make_section("Politics")
    article = make_article("Council votes on the bridge", section=section)
    context, page, response, problems = open_and_watch(
        browser, f"{live_server.url}{path.format(article=article.pk)}?format=api"
    )
    assert_clean(page, response, problems, live_server)
    expect(page.locator(".response-info")).to_contain_text("HTTP 200 OK")
    if "articles" in path:
        expect(page.locator(".response-info")).to_contain_text("Council votes on the bridge")
    context.close()


def test_the_browsable_api_s_controls_work_under_the_csp(live_server, browser):
    """Its scripts run (they are our static files, allowed by 'self'): the format menu opens."""
    make_article("Council votes on the bridge")
    context, page, response, problems = open_and_watch(
        browser, f"{live_server.url}/api/v1/articles/?format=api"
    )
    menu = page.locator("#get-form .dropdown-toggle")
    expect(menu).to_be_visible()
    menu.click()
    expect(page.locator("#get-form .dropdown-menu")).to_be_visible()
    assert_clean(page, response, problems, live_server)
    context.close()
