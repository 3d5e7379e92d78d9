"""
A reader's open live page in Debian's chromium: three updates added on the desk appear without a reload
(behind the "N new updates" button), polls that find nothing get 304s, ending the coverage stops the
polling; the live page and the live blog's desk page have no serious or critical axe-core violation.
Screenshots go to var/screenshots/ (CI artifacts).
"""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from live.models import LiveCoverage
from tests.browser import log_in, orm_inside_playwrights_loop  # noqa: F401 (an autouse fixture)
from tests.conftest import BLOCKING, axe_violations
from tests.factories import make_author
from tests.live.helpers import add_update, make_live_article
from tests.shared_fixtures import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def blocking(page, axe_source):
    return [v for v in axe_violations(page, axe_source) if v["impact"] in BLOCKING]


def test_a_readers_open_page_gets_three_updates_without_reload_and_stops_when_coverage_ends(
    django_db_setup, live_server, browser, axe_source, settings
):
    settings.LIVE_POLL_SECONDS = 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    article, coverage = make_live_article()
    reporter = make_author("Alex Rivera")
    add_update(article, "<p>Polls have closed across the country.</p>", minutes_ago=5, author=reporter)

    context = browser.new_context()
    page = context.new_page()
    problems, polls = [], []
    # Script errors and CSP violations (the browser's own favicon request is not the page's).
    page.on(
        "console",
        lambda m: m.type == "error" and "Failed to load resource" not in m.text and problems.append(m.text),
    )
    page.on(
        "response",
        lambda r: r.status >= 400 and "favicon" not in r.url and problems.append(f"{r.status} {r.url}"),
    )
    page.on("response", lambda r: "/updates/" in r.url and polls.append(r.status))
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator(".live-update")).to_have_count(1)
    page.evaluate("window.liveMarker = 'not reloaded'")
    page.wait_for_timeout(2500)  # a few polls with nothing new: 304s

    add_update(
        article,
        "<p>First results from the north.</p>",
        author=reporter,
        is_key_event=True,
        headline="First results",
    )
    add_update(article, "<p>Turnout is up on last time.</p>", author=reporter)
    add_update(article, "<p>The count will run through the night.</p>", author=reporter, is_pinned=True)

    button = page.locator("#live-new")
    expect(button).to_have_text("3 new updates", timeout=15_000)
    expect(page.locator(".live-notice")).to_have_attribute("aria-live", "polite")
    expect(page.locator(".live-update")).to_have_count(1)  # nothing moved under the reader's eyes
    page.screenshot(path=SCREENSHOTS / "live-new-updates.png", full_page=True)
    button.click()
    expect(page.locator(".live-update")).to_have_count(4)
    expect(page.locator("#live-pinned .live-update")).to_contain_text("The count will run through the night.")
    expect(page.locator("#live-updates .live-update").first).to_contain_text("Turnout is up")
    expect(page.locator("#live-key-events")).to_contain_text("First results")
    assert page.evaluate("window.liveMarker") == "not reloaded"
    assert 304 in polls  # the polls between the changes found nothing new
    assert blocking(page, axe_source) == []
    page.screenshot(path=SCREENSHOTS / "live-page.png", full_page=True)

    LiveCoverage.objects.get(pk=coverage.pk).end()
    expect(page.locator("#live-status")).to_contain_text("Coverage ended", timeout=15_000)
    expect(page.locator("#live")).to_have_attribute("data-live-polling", "stopped")
    polls_when_ended = len(polls)
    page.wait_for_timeout(3000)  # three poll intervals
    assert len(polls) == polls_when_ended
    assert page.evaluate("window.liveMarker") == "not reloaded"
    assert blocking(page, axe_source) == []
    page.screenshot(path=SCREENSHOTS / "live-page-ended.png", full_page=True)
    assert problems == []  # no CSP violation, no script error
    context.close()


def test_the_live_blogs_desk_page_has_no_serious_or_critical_axe_violations(
    django_db_setup, live_server, browser, axe_source
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    make_user("ed", "Editor")
    article, _ = make_live_article()
    add_update(article, "<p>Polls have closed.</p>", is_key_event=True, headline="Polls close")
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server, "ed")

    found = {}
    for name, path in {
        "live blogs": "/admin/live/livecoverage/",
        "new live blog": "/admin/live/livecoverage/add/",  # the article's autocomplete combobox is named
        "desk page": f"/admin/live/livecoverage/{article.pk}/change/",
        "update form": f"/admin/live/liveupdate/add/?article={article.pk}",
        "article form with updates": f"/admin/articles/article/{article.pk}/change/",
    }.items():
        page.goto(live_server.url + path)
        if found_here := blocking(page, axe_source):
            found[name] = found_here
    page.goto(f"{live_server.url}/admin/live/livecoverage/{article.pk}/change/")
    page.fill("#id_body", "Added from the desk page in one step.")
    page.click("text=Add update")
    expect(page.locator(".live-desk table")).to_contain_text("Added from the desk page")
    page.screenshot(path=SCREENSHOTS / "live-desk-page.png", full_page=True)
    context.close()
    assert found == {}, found
