"""Search: ranked over headline > dek/tags > body, the same order on SQLite and PostgreSQL; safe snippets."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article, Status
from search.query import search
from tests.factories import make_article, make_tag

pytestmark = pytest.mark.django_db


def hours_ago(n):
    return timezone.now() - datetime.timedelta(hours=n)


@pytest.fixture
def example():
    make_article("Harbour bridge reopens", dek="Traffic flows again", published_at=hours_ago(9))
    make_article("Mayor speaks", dek="The harbour plan explained", published_at=hours_ago(1))
    make_article(
        "Weekend weather",
        body="<p>Rain is expected near the harbour on Sunday.</p>",
        published_at=hours_ago(2),
    )
    make_article("Ferry timetable", tags=[make_tag("Harbour")], published_at=hours_ago(3))
    make_article("Unrelated", body="<p>Nothing to see.</p>", published_at=hours_ago(4))
    make_article("Harbour draft", status=Status.DRAFT)
    make_article("Harbour tomorrow", published_at=timezone.now() + datetime.timedelta(days=1))


def headlines(query):
    return [article.headline for article in search(Article.objects.published(), query)]


def test_headline_matches_rank_first_then_dek_and_tags_by_recency_then_body(example):
    # Headline (A) first; dek and tag names (B) tie, so the newer comes first; the body (C) last.
    assert headlines("harbour") == [
        "Harbour bridge reopens",
        "Mayor speaks",
        "Ferry timetable",
        "Weekend weather",
    ]


def test_every_word_must_match(example):
    assert headlines("harbour traffic") == ["Harbour bridge reopens"]
    assert headlines("harbour nonsenseword") == []


def test_search_is_case_insensitive_and_never_finds_hidden_articles(example):
    assert "Harbour draft" not in headlines("HARBOUR")
    assert "Harbour tomorrow" not in headlines("harbour")


def test_a_renamed_tag_is_searchable_under_its_new_name(example):
    from tags.models import Tag

    tag = Tag.objects.get(name="Harbour")
    tag.name = "Waterfront"
    tag.save()

    assert headlines("waterfront") == ["Ferry timetable"]


def test_articles_written_in_bulk_are_searchable(example):
    from articles.models import TaggedArticle

    [bulk] = Article.objects.bulk_create(
        [
            Article(
                headline="Lighthouse keeper",
                slug="lighthouse",
                status=Status.PUBLISHED,
                published_at=hours_ago(1),
            )
        ]
    )
    TaggedArticle.objects.bulk_create([TaggedArticle(content_object=bulk, tag=make_tag("Coastguard"))])

    assert headlines("lighthouse") == ["Lighthouse keeper"]
    assert headlines("coastguard") == ["Lighthouse keeper"]


def test_postgresql_stores_a_stemmed_vector_for_every_article_and_sqlite_has_no_such_column(example):
    make_article("Bridges of the city", published_at=hours_ago(1))
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, "articles_article")}

    if connection.vendor == "postgresql":
        assert set(headlines("bridge")) == {"Bridges of the city", "Harbour bridge reopens"}  # stemmed
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM articles_article WHERE search_vector IS NULL")
            assert cursor.fetchone()[0] == 0
    else:
        assert "search_vector" not in columns  # the migration is a no-op on SQLite
        assert headlines("bridge") == [
            "Bridges of the city",
            "Harbour bridge reopens",
        ]  # substrings


def test_the_search_page_shows_ranked_results_with_marked_snippets(client, example):
    response = client.get("/search/", {"q": "harbour"})

    text = response.text
    assert response.status_code == 200
    assert "4 results" in text
    assert text.index("bridge reopens") < text.index("Mayor speaks") < text.index("Weekend weather")
    assert "<mark>Harbour</mark> bridge reopens" in text
    assert "near the <mark>harbour</mark> on Sunday" in text


def test_snippets_escape_what_the_article_says(client):
    make_article("Escaping test", body="<p>Use &lt;script&gt;alert(1)&lt;/script&gt; to escape</p>")

    text = client.get("/search/", {"q": "escaping"}).text

    assert "<script>alert" not in text
    assert "&lt;script&gt;" in text


@pytest.mark.parametrize("query", ["", "   ", "!!!", "?-"])
def test_an_empty_query_gets_a_friendly_page(client, query):
    response = client.get("/search/", {"q": query})

    assert response.status_code == 200
    assert "Type a word or two" in response.text


def test_an_over_long_query_gets_a_friendly_page(client):
    response = client.get("/search/", {"q": "word " * 100})

    assert response.status_code == 200
    assert "That search is too long" in response.text


def test_search_results_paginate(client):
    for n in range(25):
        make_article(f"Budget story {n}", published_at=hours_ago(n + 1))

    first = client.get("/search/", {"q": "budget"})
    second = client.get("/search/", {"q": "budget", "page": 2})

    assert first.text.count('class="card search-result"') == 20
    assert second.text.count('class="card search-result"') == 5
    assert 'href="/search/?q=budget&amp;page=2"' in first.text
    assert client.get("/search/", {"q": "budget", "page": 3}).status_code == 404


def test_search_page_queries_are_bounded(client, example, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # the cache generation, ranked ids, results, bylines
        client.get("/search/", {"q": "harbour"})
    with django_assert_max_num_queries(0):  # again: the cached page
        client.get("/search/", {"q": "harbour", "page": 1})
