"""
Hand-written SQL for the two public queries the ORM cannot say in one statement.

related_to(): an article's related stories. Pinned ones (RelatedPin, by position) come first; then articles
sharing tags with it, each shared tag weighing 1 / ln(2 + tag.article_count) (a tag on 3 articles says more
than one on 30,000), highest total first, ties by recency. Candidates are only the PER_TAG newest articles of
each shared tag, read from the (tag, visible_from) index of the through table, so the cost does not grow
with the archive, and only the best few candidates are read from the articles table. On PostgreSQL a
LATERAL join per shared tag; on SQLite (no LATERAL) the same rows picked with ROW_NUMBER(). Visibility is
Article.objects.published()'s own WHERE clause, compiled by the ORM.

latest_per_section(): the newest articles of every section (the home page's blocks) in one query, again a
LATERAL join on PostgreSQL (each section reads its index) and ROW_NUMBER() on SQLite.

Both read only the columns a story link shows (headline, slug, dates: models.CARD_FIELDS): related stories
as articles with the other fields deferred, the home page's blocks as story cards (public.paging.Card).
"""

from django.db import connections, models
from django.utils import timezone

from newsroom.fixed_queries import FixedQuery

PER_TAG = 200


# The article columns a story card shows (the link needs the dates and the slug), read as public.paging.Card
# by list pages and the home page, and as deferred-field articles by related stories. Not created_at: the
# link of a visible article never falls back to it, since published_q() requires a published article's
# published_at and a scheduled article's publish_at.
CARD_FIELDS = ["headline", "slug", "dek", "published_at", "publish_at"]


def card_columns(model, table):
    """The columns a link to a story shows (CARD_FIELDS); the others stay deferred."""
    return ", ".join(f'{table}."{field.column}"' for field in card_fields(model))


def card_fields(model):
    """The fields of a story card, in the order of public.paging.Card."""
    return [model._meta.get_field(name) for name in ["id", *CARD_FIELDS, "section"]]


# Compiled once per model and database (newsroom/fixed_queries.py): the article and home pages run it
# every time. The model is passed in (articles.models calls this module), so nothing here imports it.
_PUBLISHED = {}


def published_where(model, now, using):
    """The WHERE clause of model.objects.published(now), as SQL on the unaliased articles_article table."""
    fixed = _PUBLISHED.get(model)
    if fixed is None:
        fixed = _PUBLISHED[model] = FixedQuery(
            lambda now: model._default_manager.published(now), model=None, now=models.DateTimeField()
        )
    return fixed.where(using, now=now)


def related_to(model, article, *, limit=5, now=None, using="default"):
    connection = connections[using]
    now = now or timezone.now()
    published_sql, published_params = published_where(model, now, using)
    now_param = connection.ops.adapt_datetimefield_value(now)
    if connection.vendor == "postgresql":
        candidates = """
            SELECT c.content_object_id AS id, sum(s.weight) AS score, max(c.visible_from) AS recency
            FROM shared s CROSS JOIN LATERAL (
                SELECT x.content_object_id, x.visible_from FROM articles_taggedarticle x
                WHERE x.tag_id = s.tag_id AND x.visible_from <= %s AND x.content_object_id <> %s
                  AND (x.visible_until IS NULL OR x.visible_until > %s)
                ORDER BY x.visible_from DESC, x.content_object_id DESC
                LIMIT %s
            ) c
            GROUP BY c.content_object_id"""
    else:
        candidates = """
            SELECT id, sum(weight) AS score, max(visible_from) AS recency FROM (
                SELECT x.content_object_id AS id, s.weight, x.visible_from, ROW_NUMBER() OVER (
                    PARTITION BY x.tag_id ORDER BY x.visible_from DESC, x.content_object_id DESC) AS n
                FROM shared s JOIN articles_taggedarticle x ON x.tag_id = s.tag_id
                WHERE x.visible_from <= %s AND x.content_object_id <> %s
                  AND (x.visible_until IS NULL OR x.visible_until > %s)
            ) ranked_rows WHERE n <= %s
            GROUP BY id"""
    sql = f"""
        WITH pins AS (
            SELECT p.related_id AS id, p.position AS position
            FROM articles_relatedpin p WHERE p.article_id = %s
        ), shared AS (
            SELECT t.id AS tag_id, 1.0 / ln(2 + t.article_count) AS weight
            FROM articles_taggedarticle ta JOIN tags_tag t ON t.id = ta.tag_id
            WHERE ta.content_object_id = %s
        ), candidates AS ({candidates}
        ), best AS (
            SELECT id, score FROM candidates WHERE id NOT IN (SELECT id FROM pins)
            ORDER BY score DESC, recency DESC, id DESC
            LIMIT %s
        ), ranked AS (
            SELECT id, 0 AS automatic, position, 0.0 AS score FROM pins
            UNION ALL
            SELECT id, 1, 0, score FROM best
        )
        SELECT {card_columns(model, "articles_article")}, ranked.score AS related_score,
               ranked.automatic AS related_automatic
        FROM ranked JOIN articles_article ON articles_article.id = ranked.id
        WHERE articles_article.id <> %s AND {published_sql}
        ORDER BY ranked.automatic, ranked.position, ranked.score DESC,
                 articles_article.published_at DESC, articles_article.id DESC
        LIMIT %s"""
    params = [
        article.pk,
        article.pk,
        now_param,
        article.pk,
        now_param,
        PER_TAG,
        # Only the best few candidates meet the articles table; the through rows already say which
        # are visible, and published() below confirms it.
        limit * 4,
        article.pk,
        *published_params,
        limit,
    ]
    return model._default_manager.using(using).raw(sql, params)
