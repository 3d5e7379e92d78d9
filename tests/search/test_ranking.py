"""Ranking: the newest CANDIDATES matches by rank weighted for recency; normalized queries; accents folded."""

import datetime

import pytest
from django.utils import timezone

from articles.models import Article
from search.query import normalize, ranked_ids, search
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def days_ago(n):
    return timezone.now() - datetime.timedelta(days=n)


def headlines(query, **kwargs):
    return [article.headline for article in search(Article.objects.published(), query, **kwargs)]


def test_a_newer_match_outranks_an_equally_good_older_one():
    make_article("Budget vote", body="<p>The council met.</p>", published_at=days_ago(40))
    make_article("Budget cuts", body="<p>The council met.</p>", published_at=days_ago(2))

    assert headlines("budget") == ["Budget cuts", "Budget vote"]


def test_recency_outweighs_a_better_field_once_the_match_is_old():
    # Headline (A) beats dek (B) between stories of the same age; a year later the dek match of today wins.
    make_article("Harbour plan", published_at=days_ago(365))
    make_article("Mayor speaks", dek="On the harbour plan", published_at=days_ago(1))
    make_article("Harbour bridge", published_at=days_ago(1))

    assert headlines("harbour") == ["Harbour bridge", "Mayor speaks", "Harbour plan"]


def test_only_the_newest_candidates_are_ranked():
    # The old headline match would rank first, but it is not among the 2 newest matches.
    make_article("Ferry news", published_at=days_ago(3))
    make_article("Today", dek="ferry", published_at=days_ago(1))
    make_article("Yesterday", dek="ferry", published_at=days_ago(2))

    assert headlines("ferry", candidates=2) == ["Today", "Yesterday"]
    assert headlines("ferry", candidates=3)[0] == "Ferry news"


def test_ranking_is_one_query(django_assert_num_queries):
    for n in range(5):
        make_article(f"Storm {n}", published_at=days_ago(n + 1))

    with django_assert_num_queries(1):
        ids = ranked_ids(Article.objects.published(), "storm")

    assert len(ids) == 5


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("Café", "cafe"),
        ("  CAFÉ\tcrème  ", "cafe creme"),
        ("Straße", "strasse"),
        ("naïve   résumé", "naive resume"),
        ("", ""),
    ],
)
def test_queries_are_normalized_case_whitespace_and_accents_folded(typed, normalized):
    assert normalize(typed) == normalized


@pytest.mark.postgres
def test_unaccented_queries_find_accented_text_and_the_other_way_round():
    make_article("Café reopens on the square", published_at=days_ago(1))
    make_article("Cafe owners protest", published_at=days_ago(2))

    assert headlines("cafe") == ["Café reopens on the square", "Cafe owners protest"]
    assert headlines("café") == ["Café reopens on the square", "Cafe owners protest"]


@pytest.mark.postgres
def test_the_stored_vector_is_accent_folded():
    from django.db import connection

    article = make_article("Crème brûlée wins", published_at=days_ago(1))

    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM articles_article WHERE id = %s", [article.pk])
        vector = cursor.fetchone()[0]
    assert "'crème'" not in vector
    assert "'creme'" in vector
    assert "'brule'" in vector or "'brulee'" in vector
