"""API responses go through the public page cache: same generation, ETag, 304, purge on publish."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Status
from desk import workflow
from public import cache
from tests.factories import make_article
from tests.shared_fixtures import make_ready_article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.forget_local()
    yield
    cache.forget_local()


def test_a_second_anonymous_get_is_served_from_the_cache_with_the_same_etag(client):
    make_article("Cached")
    first = client.get("/api/v1/articles/")
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/api/v1/articles/")

    assert first["ETag"] == second["ETag"] and first.content == second.content
    assert "public" in second["Cache-Control"]
    assert len(queries) == 0


def test_a_matching_if_none_match_answers_304(client):
    make_article("Cached")
    first = client.get("/api/v1/articles/")

    assert client.get("/api/v1/articles/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_publishing_purges_the_cached_list(client, reporter, publisher):
    article = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher)
    before = client.get("/api/v1/articles/")
    assert before.json()["results"] == []

    workflow.perform("publish", article, publisher, override_warnings=True)
    after = client.get("/api/v1/articles/")

    assert [item["id"] for item in after.json()["results"]] == [article.pk]
    assert after["ETag"] != before["ETag"]
