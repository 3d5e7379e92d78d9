"""In a real browser: an article page asks no third party until the reader presses a button."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from embeds.fetch import ensure_embeds
from tests.conftest import BLOCKING, axe_violations
from tests.embeds.conftest import RECORDED
from tests.embeds.test_admin_save import body_with
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAYER = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"


@pytest.fixture(autouse=True, scope="module")
def _orm_inside_playwrights_loop():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


def test_nothing_is_requested_from_a_provider_until_the_reader_clicks(
    live_server, browser, oembed, axe_source
):
    article = make_article("Budget night", body=body_with(RECORDED["youtube"], RECORDED["bluesky"]))
    assert ensure_embeds(article.body) == []
    context = browser.new_context()
    page = context.new_page()
    requested, csp_errors = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda m: "Content Security Policy" in m.text and csp_errors.append(m.text))
    # The provider's player, answered locally: the test needs no network, the browser still asks for it.
    page.route(
        "https://www.youtube-nocookie.com/**",
        lambda route: route.fulfill(
            content_type="text/html", body="<!DOCTYPE html><title>player</title><p>The player</p>"
        ),
    )

    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    page.wait_for_load_state("networkidle")

    local = urlsplit(live_server.url).hostname
    assert {urlsplit(url).hostname for url in requested} == {local}, requested
    youtube = page.locator("figure.embed-youtube")
    expect(youtube.locator(".embed-provider")).to_have_text("YouTube")
    expect(youtube.locator("figcaption a")).to_have_attribute("href", RECORDED["youtube"])
    expect(page.locator("iframe")).to_have_count(0)
    blocking = [v for v in axe_violations(page, axe_source) if v["impact"] in BLOCKING]
    assert blocking == [], blocking

    youtube.get_by_role("button", name="Load YouTube content").click()

    frame = youtube.locator("iframe")
    expect(frame).to_have_attribute("src", PLAYER)
    expect(frame).to_have_attribute("title", "Council budget vote: the full debate")
    expect(frame).to_be_focused()
    expect(page.frame_locator("figure.embed-youtube iframe").locator("p")).to_have_text("The player")
    assert PLAYER in requested
    # The other embed is still a placeholder: one click loads one provider only.
    expect(page.locator("figure.embed-bluesky iframe")).to_have_count(0)
    assert not any("bsky.app" in urlsplit(url).hostname for url in requested)
    assert csp_errors == []
    context.close()
