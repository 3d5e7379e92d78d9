"""'Did you mean': a near word from tag names or published headlines, offered only when it finds stories."""

import pytest

from articles.models import Article, Status
from search.suggest import suggestion
from tests.factories import make_article, make_tag

pytestmark = pytest.mark.django_db


def suggest(query):
    return suggestion(Article.objects.published(), query)


@pytest.mark.postgres
def test_a_misspelt_headline_word_is_corrected():
    make_article("Parliament passes the budget")

    assert suggest("parliment") == "parliament"


@pytest.mark.postgres
def test_a_misspelt_tag_name_is_corrected_and_other_words_kept():
    make_article("Ferry timetable", tags=[make_tag("Elections")])

    assert suggest("electons ferry") == "elections ferry"


@pytest.mark.postgres
def test_no_suggestion_for_a_word_like_nothing_we_published():
    make_article("Parliament passes the budget")
    make_article("Zyxwvut draft", status=Status.DRAFT)

    assert suggest("qqqqqq") is None
    assert suggest("zyxwvu") is None  # a draft's headline is never a suggestion


@pytest.mark.postgres
def test_the_search_page_offers_the_suggestion_as_a_link(client):
    make_article("Parliament passes the budget")

    text = client.get("/search/", {"q": "parliment"}).text

    assert "No stories match" in text
    assert 'Did you mean <a href="/search/?q=parliament">parliament</a>?' in text


def test_sqlite_never_suggests(client):
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("the SQLite behaviour")
    make_article("Parliament passes the budget")

    assert suggest("parliment") is None
    assert "Did you mean" not in client.get("/search/", {"q": "parliment"}).text


@pytest.mark.postgres
@pytest.mark.parametrize("hidden", ["draft", "scheduled"])
def test_tags_only_on_drafts_or_scheduled_stories_are_never_suggested(hidden):
    import datetime

    from django.utils import timezone

    make_article("Ferry timetable", tags=[make_tag("Electrons")])
    if hidden == "draft":
        make_article("Secret plan", status=Status.DRAFT, tags=[make_tag("Elections")])
    else:
        tomorrow = timezone.now() + datetime.timedelta(days=1)
        make_article("Later plan", published_at=tomorrow, tags=[make_tag("Elections")])

    # "elections" is as similar to the typo as "electrons" and first by name: only a visible tag counts.
    assert suggest("electons") == "electrons"
