"""
A live update's embed URL goes through the embeds app: fetched when the update is saved in the admin (the
desk page's quick form, the update form, the article form's inline), shown to readers as the same
click-to-load placeholder as an article body's (same allow-list, same cached Embed rows), in the page and
in the polled fragment; the editor is told when it cannot be embedded, readers then get a link.
"""

import re

import pytest

from articles.models import Status
from embeds.fetch import ensure_url_embeds
from embeds.models import Embed
from live.models import LiveUpdate
from tests.desk.admin_helpers import change_url
from tests.embeds.conftest import RECORDED
from tests.embeds.test_public_page import sources
from tests.live.helpers import add_update, article_form_with_update, make_live_article
from tests.live.test_public import fragment_url

pytestmark = pytest.mark.django_db

ADD = "/admin/live/liveupdate/add/"
UNKNOWN = "https://example.org/some/page"


def add_in_quick_form(client, user, article, embed_url, body="Reaction from the mayor."):
    client.force_login(user)
    data = {"article": article.pk, "body": body, "embed_url": embed_url, "publish_now": "on"}
    return client.post(f"{ADD}?article={article.pk}", data, follow=True)


def messages_of(response, level):
    return [str(m) for m in response.context["messages"] if m.level_tag == level]


def test_the_quick_form_fetches_the_embed_and_readers_get_a_placeholder(client, editor, oembed):
    article, _ = make_live_article()
    assert client.get(article.get_absolute_url()).status_code == 200  # cached before the update

    response = add_in_quick_form(client, editor, article, RECORDED["x"])

    assert response.status_code == 200 and not messages_of(response, "warning")
    assert [(provider, url) for provider, url, _ in oembed] == [("x", RECORDED["x"])]
    embed = Embed.objects.get()
    assert embed.frame_url == "https://platform.twitter.com/embed/Tweet.html?id=507185938620219395&dnt=true"
    update = LiveUpdate.objects.get()
    client.logout()
    page = client.get(article.get_absolute_url())
    html = page.content.decode()
    [item] = re.findall(r'<li class="live-update.*?</li>', html, re.S)
    assert '<figure class="embed embed-x embed-shape-post">' in item
    assert "X (Twitter) post by US Department of the Interior" in item
    assert f'id="embed-notice-{update.anchor}"' in item and "Load X (Twitter) content</button>" in item
    assert f'<figcaption><a href="{RECORDED["x"]}">' in item
    assert "<iframe" not in html and all(s.startswith("/") for s in sources(html)), sources(html)
    assert '<script src="/static/embeds/embeds.js" defer></script>' in html
    assert "https://platform.twitter.com" in page["Content-Security-Policy"]


def test_the_fragment_carries_the_same_placeholder(client, oembed):
    article, _ = make_live_article()
    update = add_update(article, embed_url=RECORDED["youtube"])
    assert ensure_url_embeds([update.embed_url]) == []

    [item] = client.get(fragment_url(article)).json()["updates"]

    assert '<figure class="embed embed-youtube embed-shape-video">' in item["html"]
    assert 'data-embed-src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in item["html"]
    assert f'id="embed-notice-{update.anchor}"' in item["html"] and "<iframe" not in item["html"]


def test_an_embed_already_fetched_for_an_article_body_is_reused(client, editor, oembed):
    assert ensure_url_embeds([RECORDED["vimeo"]]) == [] and len(oembed) == 1
    article, _ = make_live_article()

    add_in_quick_form(client, editor, article, RECORDED["vimeo"])

    assert len(oembed) == 1 and Embed.objects.count() == 1  # the same cache: no second request
    assert "embed-vimeo" in client.get(article.get_absolute_url()).content.decode()


def test_with_no_network_the_editor_is_told_and_readers_get_a_link(client, editor, settings, closed_port):
    settings.EMBED_OEMBED_ENDPOINTS = {"tiktok": f"http://127.0.0.1:{closed_port}/oembed"}
    article, _ = make_live_article()
    url = RECORDED["tiktok"]

    response = add_in_quick_form(client, editor, article, url)

    [warning] = messages_of(response, "warning")
    assert warning.startswith(f"Could not reach 127.0.0.1 to fetch the embed of {url} (")
    assert LiveUpdate.objects.get().embed_url == url  # the update is saved either way
    client.logout()
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<p class="embed-link"><a href="{url}">{url}</a></p>' in html and "embed-frame" not in html


def test_a_url_outside_the_allow_list_is_a_link_and_nothing_is_fetched(client, editor, oembed):
    article, _ = make_live_article()

    response = add_in_quick_form(client, editor, article, UNKNOWN)

    assert messages_of(response, "info") == [
        f"{UNKNOWN} is not from an embed provider we allow (docs/media.md): readers will see a link."
    ]
    assert oembed == [] and not Embed.objects.exists()
    client.logout()
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<p class="embed-link"><a href="{UNKNOWN}">{UNKNOWN}</a></p>' in html


def test_the_article_forms_inline_fetches_its_updates_embeds(client, editor, oembed):
    article, _ = make_live_article(status=Status.DRAFT)
    client.force_login(editor)
    data = article_form_with_update(
        article, body="From the article form.", embed_url=RECORDED["mastodon"], publish_now="on"
    )

    response = client.post(change_url(article), data)

    assert response.status_code == 302
    assert LiveUpdate.objects.get().embed_url == RECORDED["mastodon"]
    assert Embed.objects.get().frame_url == "https://mastodon.social/@Gargron/113375330935212133/embed"


@pytest.mark.parametrize("count", [1, 30])
def test_embeds_cost_the_page_and_the_fragment_one_query_however_many(
    client, settings, oembed, django_assert_max_num_queries, count
):
    settings.PUBLIC_PAGE_CACHE = False
    article, _ = make_live_article()
    urls = [RECORDED["youtube"], RECORDED["bluesky"], UNKNOWN]
    for n in range(count):
        add_update(article, f"<p>Update {n}</p>", minutes_ago=count - n, embed_url=urls[n % 3])
    ensure_url_embeds(urls)

    with django_assert_max_num_queries(7):  # the page's six, and the embeds
        page = client.get(article.get_absolute_url())
    with django_assert_max_num_queries(5):
        fragment = client.get(fragment_url(article, "2020-01-01T00:00:00+00:00"))

    assert page.content.decode().count("embed-frame") == sum(1 for n in range(count) if n % 3 != 2)
    assert len(fragment.json()["updates"]) == count
