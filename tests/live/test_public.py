"""
A live article's public page, its polled fragment and its feed: updates pinned first then newest first, key
events with anchors, LiveBlogPosting JSON-LD, ETags and 304s, purges on every update, no draft anywhere, and
a fixed number of queries however many updates there are.
"""

import json
import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Status
from live.models import LiveUpdate
from tests.live.helpers import add_update, make_live_article

pytestmark = pytest.mark.django_db


def fragment_url(article, since=None):
    url = reverse("live:updates", kwargs={"article_id": article.pk})
    return url if since is None else f"{url}?since={since}"


def json_ld(response):
    [block] = re.findall(
        r'<script type="application/ld\+json"[^>]*>(.*?)</script>', response.content.decode()
    )
    return json.loads(block)


def test_the_page_shows_pinned_updates_first_then_newest_first_with_key_events_and_the_poller(client):
    article, _ = make_live_article()
    add_update(article, "<p>Oldest</p>", minutes_ago=30, is_key_event=True, headline="Polls close")
    add_update(article, "<p>Pinned one</p>", minutes_ago=20, is_pinned=True)
    newest = add_update(article, "<p>Newest</p>", minutes_ago=1)
    add_update(article, "<p>Not yet published</p>", published_at=None)

    html = client.get(article.get_absolute_url()).content.decode()

    assert [html.index(t) for t in ("Pinned one", "Newest", "Oldest")] == sorted(
        html.index(t) for t in ("Pinned one", "Newest", "Oldest")
    )
    assert "Not yet published" not in html
    key_events = html[html.index('id="live-key-events"') : html.index('class="live-notice"')]
    assert "Polls close" in key_events and 'href="#update-' in key_events
    assert f'id="update-{newest.pk}"' in html
    assert 'src="/static/live/poller.js"' in html and 'data-live-state="live"' in html
    assert f'href="{reverse("live:feed", kwargs={"article_id": article.pk})}"' in html


def test_the_json_ld_is_a_live_blog_posting_with_its_updates_and_coverage_times(client):
    article, coverage = make_live_article()
    first = add_update(article, "<p>Polls have <b>closed</b>.</p>", minutes_ago=10, headline="Polls close")
    add_update(article, "<p>" + "Long text. " * 30 + "</p>", minutes_ago=5)

    data = json_ld(client.get(article.get_absolute_url()))

    assert data["@context"] == "https://schema.org" and data["@type"] == "LiveBlogPosting"
    assert data["headline"] == article.headline
    assert data["coverageStartTime"].startswith(
        timezone.localtime(coverage.started_at).strftime("%Y-%m-%dT%H:%M")
    )
    assert "coverageEndTime" not in data
    updates = data["liveBlogUpdate"]
    assert [u["@type"] for u in updates] == ["BlogPosting", "BlogPosting"]
    for update in updates:
        assert set(update) >= {"headline", "articleBody", "datePublished", "url"}
        assert 0 < len(update["headline"]) <= 110
        assert update["url"].startswith(data["url"] + "#update-")
    assert updates[1]["headline"] == "Polls close" and updates[1]["articleBody"] == "Polls have closed."
    assert updates[1]["author"]["@type"] == "Person"
    assert updates[1]["datePublished"].startswith(
        timezone.localtime(first.published_at).strftime("%Y-%m-%dT%H:%M")
    )


def test_ended_coverage_shows_on_the_page_in_the_json_ld_and_in_the_fragment(client):
    article, coverage = make_live_article()
    add_update(article)
    coverage.end()

    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert "Coverage ended" in html and 'data-live-state="ended"' in html
    assert json_ld(response)["coverageEndTime"]
    assert client.get(fragment_url(article)).json()["state"] == "ended"


def test_the_fragment_gives_whats_new_since_the_cursor_and_304_when_nothing_changed(client):
    article, _ = make_live_article()
    first_update = add_update(article, "<p>First</p>", minutes_ago=60)
    # Saved an hour ago (beyond the fragment's few seconds of overlap); the page is rendered after this.
    LiveUpdate.objects.filter(pk=first_update.pk).update(updated_at=first_update.published_at)
    page = client.get(article.get_absolute_url()).content.decode()
    cursor = re.search(r'data-live-cursor="([^"]+)"', page).group(1)

    first = client.get(fragment_url(article, cursor))
    assert first.status_code == 200 and first["ETag"]
    assert int(first["Cache-Control"].split("max-age=")[1].split(",")[0]) <= 15
    again = client.get(fragment_url(article, cursor), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304

    second = add_update(article, "<p>Second</p>")
    changed = client.get(fragment_url(article, cursor), headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200  # purged and re-rendered: a new ETag
    data = changed.json()
    assert [u["id"] for u in data["updates"]] == [second.pk]
    assert "Second" in data["updates"][0]["html"] and data["visible"][0] == second.pk
    assert data["cursor"] > cursor


def test_edits_and_deletions_reach_the_fragment_and_the_page_at_once(client):
    article, _ = make_live_article()
    update = add_update(article, "<p>Turnout 61%</p>", minutes_ago=3)
    keep = add_update(article, "<p>Other</p>", minutes_ago=2)
    assert "Turnout 61%" in client.get(article.get_absolute_url()).content.decode()

    update.body = "<p>Turnout 63%</p>"
    update.save()
    assert "Turnout 63%" in client.get(article.get_absolute_url()).content.decode()
    update.delete()
    assert "Turnout" not in client.get(article.get_absolute_url()).content.decode()
    assert client.get(fragment_url(article)).json()["visible"] == [keep.pk]


def test_no_draft_leaks_from_any_endpoint(client):
    draft, _ = make_live_article("Secret live blog", status=Status.DRAFT)
    add_update(draft, "<p>Secret update</p>")
    published, _ = make_live_article()
    add_update(published, "<p>Draft update text</p>", published_at=None)

    assert client.get(fragment_url(draft)).status_code == 404
    assert client.get(reverse("live:feed", kwargs={"article_id": draft.pk})).status_code == 404
    for url in (
        published.get_absolute_url(),
        fragment_url(published),
        reverse("live:feed", kwargs={"article_id": published.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 200 and b"Draft update text" not in response.content, url
    assert client.get(fragment_url(published)).json()["visible"] == []


def test_a_since_that_is_no_time_is_a_clear_404(client):
    article, _ = make_live_article()
    response = client.get(fragment_url(article, "yesterday"))
    assert response.status_code == 404


def test_the_atom_feed_lists_the_updates_newest_first_with_anchored_links(client):
    article, _ = make_live_article()
    add_update(article, "<p>Early</p>", minutes_ago=10, headline="Early")
    late = add_update(article, "<p>Late</p>", minutes_ago=1, headline="Late")

    response = client.get(reverse("live:feed", kwargs={"article_id": article.pk}))

    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    assert response["ETag"]
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ElementTree.fromstring(response.content).findall(f"{atom}entry")
    assert [e.findtext(f"{atom}title") for e in entries] == ["Late", "Early"]
    assert (
        entries[0].find(f"{atom}link").get("href").endswith(f"{article.get_absolute_url()}#update-{late.pk}")
    )


@pytest.mark.parametrize("count", [1, 50])
def test_the_page_and_the_fragment_make_a_fixed_number_of_queries(
    client, settings, django_assert_max_num_queries, count
):
    settings.PUBLIC_PAGE_CACHE = False  # every request renders: 6 queries for the page, 4 for the fragment
    article, _ = make_live_article()
    for n in range(count):
        add_update(
            article, f"<p>Update {n}</p>", minutes_ago=count - n, is_key_event=n % 5 == 0, is_pinned=n == 0
        )

    with django_assert_max_num_queries(6):
        page = client.get(article.get_absolute_url())
    with django_assert_max_num_queries(4):
        fragment = client.get(fragment_url(article, "2020-01-01T00:00:00+00:00"))

    assert page.content.decode().count("data-update-id=") == count
    assert len(fragment.json()["updates"]) == count


def test_an_ordinary_article_page_makes_no_query_for_live_coverage(client, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_article

    settings.PUBLIC_PAGE_CACHE = False
    article = make_article("Not live")
    client.get(article.get_absolute_url())  # warms the generation
    with CaptureQueriesContext(connection) as captured:
        client.get(article.get_absolute_url())
    assert not any("live_liveupdate" in q["sql"] for q in captured.captured_queries)
    assert captured.captured_queries  # it did render


def test_a_live_page_ended_or_not_is_valid_html(client, vnu_command, tmp_path):
    from tests.public.test_html_validity import validate

    article, coverage = make_live_article()
    add_update(article, "<p>Pinned</p>", is_pinned=True, headline="Pinned")
    add_update(article, "<p>Key</p>", is_key_event=True, headline="Key event")
    add_update(article, "Plain text update.", embed_url="https://example.com/post/1")
    live = tmp_path / "live.html"
    live.write_bytes(client.get(article.get_absolute_url()).content)
    coverage.end()
    ended = tmp_path / "ended.html"
    ended.write_bytes(client.get(article.get_absolute_url()).content)

    assert validate(vnu_command, [live, ended]) == {"live.html": [], "ended.html": []}
