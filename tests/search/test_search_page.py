"""
The search page: cached per normalized query and page for anonymous readers (purged like every page),
numbered pages, highlighted and escaped results, a bounded number of queries.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.factories import make_article, make_author

pytestmark = pytest.mark.django_db


def hours_ago(n):
    return timezone.now() - datetime.timedelta(hours=n)


@pytest.fixture
def budget_stories():
    author = make_author("Ann Lee")
    for n in range(45):
        make_article(f"Budget story {n}", authors=[author], published_at=hours_ago(n + 1))


def results_in(response):
    return response.text.count('class="card search-result"')


def test_a_second_anonymous_request_makes_no_queries(client, budget_stories, django_assert_num_queries):
    first = client.get("/search/", {"q": "budget"})

    with django_assert_num_queries(0):
        second = client.get("/search/", {"q": "budget"})

    assert second.status_code == 200
    assert second.content == first.content
    assert second["Cache-Control"].startswith("public")


def test_queries_differing_in_case_spacing_and_accents_share_one_cached_page(
    client, django_assert_num_queries
):
    make_article("Café reopens")
    first = client.get("/search/", {"q": "cafe"})

    with django_assert_num_queries(0):
        for typed in ["CAFE", "  Café ", "cafe", "café"]:
            response = client.get("/search/", {"q": typed, "utm_source": "mail"})
            assert response.content == first.content


def test_the_page_number_is_part_of_the_key(client, budget_stories):
    first = client.get("/search/", {"q": "budget"})
    second = client.get("/search/", {"q": "budget", "page": 2})

    assert "Budget story 0<" in first.text.replace("</mark>", "")
    assert "Budget story 20<" in second.text.replace("</mark>", "")
    assert first.content != second.content


def test_publishing_purges_cached_search_pages(client, budget_stories):
    assert "Budget story new" not in client.get("/search/", {"q": "budget"}).text

    make_article("Budget story new", published_at=hours_ago(0.5))

    assert "story new" in client.get("/search/", {"q": "budget"}).text


def test_logged_in_readers_get_a_fresh_private_page(client, budget_stories):
    user = get_user_model().objects.create_user("editor", password="pw")
    client.force_login(user)
    client.get("/search/", {"q": "budget"})

    make_article("Budget story staff", published_at=hours_ago(0.5))
    response = client.get("/search/", {"q": "budget"})

    assert "story staff" in response.text
    assert "private" in response["Cache-Control"]


def test_pages_are_numbered_with_links_to_their_neighbours(client, budget_stories):
    text = client.get("/search/", {"q": "budget", "page": 2}).text

    assert results_in(client.get("/search/", {"q": "budget", "page": 3})) == 5
    assert '<span aria-current="page">2</span>' in text
    assert '<a href="/search/?q=budget">1</a>' in text
    assert '<a href="/search/?q=budget&amp;page=3">3</a>' in text
    assert 'rel="prev" href="/search/?q=budget"' in text
    assert 'rel="next" href="/search/?q=budget&amp;page=3"' in text


@pytest.mark.parametrize("page", ["4", "0", "-1", "two", "1.5"])
def test_a_page_out_of_range_or_not_a_number_is_a_404(client, budget_stories, page):
    assert client.get("/search/", {"q": "budget", "page": page}).status_code == 404


def test_hostile_text_is_escaped_and_only_our_marks_are_html(client):
    make_article(
        'Harbour <img src=x onerror="alert(1)"> plan',
        dek="<script>alert('dek')</script> harbour works",
        body="<p>The harbour &lt;iframe&gt; opens.</p>",
    )

    text = client.get("/search/", {"q": "harbour"}).text
    hostile_query = client.get("/search/", {"q": "<script>alert(1)</script>"}).text

    assert "<img" not in text and "<script>alert" not in text and "<iframe" not in text
    assert "&lt;img" in text and "&lt;iframe&gt;" in text
    assert "<mark>Harbour</mark>" in text
    assert "<script>alert(1)" not in hostile_query and "&lt;script&gt;alert(1)" in hostile_query


def test_the_search_page_queries_are_bounded(client, budget_stories, django_assert_max_num_queries):
    # The cache generation's next scheduled change, the ranked ids, the page's articles, their bylines.
    with django_assert_max_num_queries(4):
        response = client.get("/search/", {"q": "budget"})
    assert results_in(response) == 20
    # Another page of the same query: the ranked ids are kept for the generation.
    with django_assert_max_num_queries(2):
        assert results_in(client.get("/search/", {"q": "budget", "page": 2})) == 20


def test_a_search_without_results_is_bounded_too(client, budget_stories, django_assert_max_num_queries):
    # The generation, the ranking, and on PostgreSQL the suggestion and its check.
    with django_assert_max_num_queries(4):
        response = client.get("/search/", {"q": "nothingmatchesthis"})
    assert "No stories match" in response.text
