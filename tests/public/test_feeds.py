"""RSS and Atom feeds parse (feedparser); only published items, full dek, all authors, tags as categories."""

import datetime

import feedparser
import pytest
from django.utils import timezone
from django.utils.html import escape

from articles.models import Status
from tests.factories import make_article, make_author, make_section, make_tag

pytestmark = pytest.mark.django_db

FEEDS = [
    "/feeds/latest/",
    "/feeds/latest/atom/",
    "/tags/courts/feed/",
    "/tags/courts/feed/atom/",
    "/authors/ann-lee/feed/",
    "/authors/ann-lee/feed/atom/",
    "/sections/law/feed/",
    "/sections/law/feed/atom/",
]


@pytest.fixture
def stories():
    now = timezone.now()
    courts, appeals = make_tag("Courts"), make_tag("Appeals")
    ann, ben = make_author("Ann Lee"), make_author("Ben Ode")
    law = make_section("Law")
    shared = {"section": law, "tags": [courts, appeals], "authors": [ann, ben]}
    make_article(
        "Verdict due", dek="A long dek " * 30, published_at=now - datetime.timedelta(hours=2), **shared
    )
    make_article("Appeal filed", dek="Second dek", published_at=now - datetime.timedelta(hours=1), **shared)
    make_article("Draft ruling", status=Status.DRAFT, **shared)
    make_article("Future ruling", published_at=now + datetime.timedelta(hours=1), **shared)
    make_article("Expired ruling", published_at=now - datetime.timedelta(hours=3), unpublish_at=now, **shared)


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_parse_and_list_only_published_items_newest_first(
    client, stories, url, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = client.get(url)

    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == ("atom10" if url.endswith("atom/") else "rss20")
    assert [entry.title for entry in feed.entries] == ["Appeal filed", "Verdict due"]
    entry = feed.entries[1]
    assert entry.summary.strip() == ("A long dek " * 30).strip()  # the full dek, not cut
    assert entry.link.startswith("http://127.0.0.1:8000/")
    assert {tag.term for tag in entry.tags} == {"Courts", "Appeals"}
    assert "Ann Lee" in entry.author and "Ben Ode" in entry.author


def test_rss_feed_has_absolute_self_link_and_dates(client, stories):
    feed = feedparser.parse(client.get("/feeds/latest/").content)

    assert feed.feed.link == "http://127.0.0.1:8000/"
    assert feed.entries[0].published_parsed is not None
    assert feed.entries[0].id == feed.entries[0].link


def test_feeds_of_unknown_things_are_404(client):
    for url in ["/tags/none/feed/", "/authors/none/feed/", "/sections/none/feed/"]:
        assert client.get(url).status_code == 404


def feed_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("url", FEEDS)
def test_an_uncached_feed_makes_the_same_queries_for_2_items_or_30_and_never_reads_bodies(
    client, stories, url, settings
):
    from articles.models import Section
    from authors.models import Author
    from public import cache
    from tags.models import Tag

    settings.PUBLIC_PAGE_CACHE = False  # every request renders
    few = feed_queries(client, url)
    law, courts = Section.objects.get(slug="law"), Tag.objects.get(slug="courts")
    ann, ben = Author.objects.get(slug="ann-lee"), Author.objects.get(slug="ben-ode")
    for n in range(30):
        make_article(
            f"Ruling {n}",
            section=law,
            tags=[courts, make_tag(f"Judge {n}")],
            authors=[ann, ben],
            published_at=timezone.now() - datetime.timedelta(minutes=n + 1),
        )
    cache.forget_local()
    many = feed_queries(client, url)

    assert len(feedparser.parse(client.get(url).content).entries) == 30
    assert len(many) == len(few) <= 6
    assert not any('"body"' in sql for sql in many)


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_are_element_for_element_what_djangos_feed_generators_write(client, stories, url, settings):
    """Our own writer (public/feeds.py) replaced django.contrib.syndication: the bytes must not change."""
    from django.urls import resolve
    from django.utils import feedgenerator

    from public import feeds

    settings.PUBLIC_PAGE_CACHE = False
    body = client.get(url).content.decode()
    view = resolve(url).func.__wrapped__
    obj = view.get_object(None, **resolve(url).kwargs)
    items = feeds.feed_items(list(view.article_ids(obj)[: feeds.FEED_SIZE]))
    description = view.description(obj)
    generator = (feedgenerator.Atom1Feed if view.atom else feedgenerator.Rss201rev2Feed)(
        title=view.title(obj),
        link=view.link(obj),
        description=description,
        subtitle=description,
        language="en-us",
        feed_url=view.feed_url(obj),
        feed_copyright=settings.SITE_NAME,
    )
    for item in items:
        single = len(item.bylines) == 1
        generator.add_item(
            title=item.headline,
            link=item.url,
            description=escape(item.dek),  # plain text, as readers read HTML there
            unique_id=item.url,
            pubdate=item.published_at,
            updateddate=item.updated_at or item.published_at,
            author_name=feeds.author_names(item),
            author_link=feeds.absolute(f"/authors/{item.bylines[0].author.slug}/") if single else None,
            categories=item.tag_names,
        )

    assert len(items) == 2
    assert body == generator.writeString("utf-8")
