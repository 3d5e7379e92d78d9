"""How large values are stored on PostgreSQL: lz4 compression (migration 0010)."""

import pytest
from django.db import connection

from articles.models import Revision, Status
from tests.factories import make_article

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

LONG_BODY = "".join(
    f"<p>Paragraph {i}: the council met to vote on the budget, {i * 7919}.</p>" for i in range(80)
)


def _column_compression(table, column):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attcompression FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s",
            [table, column],
        )
        return cursor.fetchone()[0]


def test_bodies_search_vectors_and_revision_snapshots_are_compressed_with_lz4():
    for table, column in [
        ("articles_article", "body"),
        ("articles_article", "search_vector"),
        ("articles_revision", "snapshot"),
    ]:
        assert _column_compression(table, column) == "l", f"{table}.{column}"


def test_a_long_body_is_stored_compressed_and_read_back_whole():
    article = make_article("Budget", body=LONG_BODY, status=Status.PUBLISHED)
    Revision.objects.create(article=article, number=1, version=1, snapshot={"body": LONG_BODY})

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(body), body FROM articles_article WHERE id = %s", [article.pk]
        )
        method, body = cursor.fetchone()
        cursor.execute(
            "SELECT pg_column_compression(snapshot) FROM articles_revision WHERE article_id = %s",
            [article.pk],
        )
        snapshot_method = cursor.fetchone()[0]
    assert (method, snapshot_method) == ("lz4", "lz4")
    assert body == LONG_BODY
