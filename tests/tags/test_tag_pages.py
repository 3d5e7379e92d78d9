"""Tag pages and tag feeds."""

import datetime

import feedparser
import pytest
from django.utils import timezone

from articles.models import Status
from tests.factories import make_article, make_tag

pytestmark = pytest.mark.django_db


def test_the_tag_page_shows_name_description_newest_first_and_feed_link(client):
    tag = make_tag("Climate", description="Our coverage of the climate crisis.")
    now = timezone.now()
    make_article("Older heat", tags=[tag], published_at=now - datetime.timedelta(days=2))
    make_article("Newer heat", tags=[tag], published_at=now - datetime.timedelta(days=1))
    make_article("Draft heat", tags=[tag], status=Status.DRAFT)

    text = client.get("/tags/climate/").text

    assert "<h1>Climate</h1>" in text
    assert "Our coverage of the climate crisis." in text
    assert text.index("Newer heat") < text.index("Older heat")
    assert "Draft heat" not in text
    assert 'href="/tags/climate/feed/"' in text
    assert (
        '<link rel="alternate" type="application/rss+xml" title="Climate" href="/tags/climate/feed/">' in text
    )


def test_a_tag_without_published_stories_says_so(client):
    tag = make_tag("Quiet")
    make_article("Unreleased", tags=[tag], status=Status.DRAFT)

    response = client.get("/tags/quiet/")

    assert response.status_code == 200
    assert "No stories with this tag yet." in response.text


def test_the_tag_feed_lists_the_tags_stories(client):
    tag = make_tag("Courts")
    make_article("Ruling", tags=[tag])
    make_article("Other")

    feed = feedparser.parse(client.get("/tags/courts/feed/").content)

    assert feed.feed.title.startswith("Courts")
    assert [entry.title for entry in feed.entries] == ["Ruling"]


def test_a_tag_page_moves_with_a_retagged_article(client):
    old, new = make_tag("Old topic"), make_tag("New topic")
    article = make_article("Retagged", tags=[old])
    assert "Retagged" in client.get("/tags/old-topic/").text

    article.tags.set([new])

    assert "Retagged" not in client.get("/tags/old-topic/").text
    assert "Retagged" in client.get("/tags/new-topic/").text
