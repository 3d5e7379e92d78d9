"""Author pages, the authors list and author feeds."""

import feedparser
import pytest

from articles.models import Byline, Status
from tests.factories import make_article, make_author

pytestmark = pytest.mark.django_db


def test_the_author_page_shows_name_bio_and_their_published_stories(client):
    author = make_author("Rita Skeeter", bio="Covers politics.")
    make_article("Scoop", authors=[author])
    make_article("Unfinished scoop", authors=[author], status=Status.DRAFT)
    make_article("Someone else's")

    text = client.get("/authors/rita-skeeter/").text

    assert "<h1>Rita Skeeter</h1>" in text and "Covers politics." in text
    assert "Scoop" in text
    assert "Unfinished scoop" not in text and "Someone else" not in text


def test_an_author_credited_twice_on_one_story_lists_it_once(client):
    author = make_author("Double Credit")
    article = make_article("Photo essay", authors=[author])
    Byline.objects.create(article=article, author=author, role=Byline.Role.PHOTOS, position=1)

    assert client.get("/authors/double-credit/").text.count("Photo essay</a>") == 1


def test_the_authors_page_lists_authors_alphabetically(client):
    make_author("Zed Last")
    make_author("Amy First")

    text = client.get("/authors/").text

    assert text.index("Amy First") < text.index("Zed Last")
    assert 'href="/authors/amy-first/"' in text


def test_the_author_feed_has_their_stories(client):
    author = make_author("Feed Writer")
    make_article("By them", authors=[author])
    make_article("Not by them")

    feed = feedparser.parse(client.get("/authors/feed-writer/feed/").content)

    assert [entry.title for entry in feed.entries] == ["By them"]
    assert entry_author(feed) == "Feed Writer"


def entry_author(feed):
    return feed.entries[0].author
