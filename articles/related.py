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
as articles with the other fields deferred, the home page's blocks as story cards (articles.paging.Card).
"""

from django.db import connections, models
from django.utils import timezone

from newsroom.fixed_queries import FixedQuery

PER_TAG = 200


def _card_columns(table):
    """The columns a link to a story shows (articles.models.CARD_FIELDS); the others stay deferred."""
    return ", ".join(f'{table}."{field.column}"' for field in _card_fields())


def _card_fields():
    """The fields of a story card, in the order of articles.paging.Card."""
    from articles.models import CARD_FIELDS, Article

    return [Article._meta.get_field(name) for name in ["id", *CARD_FIELDS, "section"]]


def _cards(connection, sql, params, *, skip=0):
    """
    (the first `skip` columns, a story card without bylines) for each row: the card from the row's next
    columns, _card_columns(), converted as the ORM converts those fields.
    """
    from articles.paging import Card

    columns = [field.get_col("articles_article") for field in _card_fields()]
    converters = []
    for index, column in enumerate(columns):
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converters.append((index, column, functions))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    cards = []
    for row in rows:
        values = list(row[skip : skip + len(columns)])
        for index, column, functions in converters:
            for function in functions:
                values[index] = function(values[index], column, connection)
        cards.append((row[:skip], Card(*values)))
    return cards


def _published(now):
    from articles.models import Article

    return Article.objects.published(now)


# Compiled once per database (newsroom/fixed_queries.py): the article and home pages run it every time.
_PUBLISHED = FixedQuery(_published, model=None, now=models.DateTimeField())


def _published_where(now, using):
    """The WHERE clause of Article.objects.published(now), as SQL on the unaliased articles_article table."""
    return _PUBLISHED.where(using, now=now)


def related_to(article, *, limit=5, now=None, using="default"):
    from articles.models import Article

    connection = connections[using]
    now = now or timezone.now()
    published_sql, published_params = _published_where(now, using)
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
        SELECT {_card_columns("articles_article")}, ranked.score AS related_score,
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
    return Article.objects.using(using).raw(sql, params)


def latest_per_section(per_section, *, now=None, using="default"):
    """
    [(SectionLink, [Card, ...]), ...]: the sections with published stories, in section order, each with its
    `per_section` newest story cards (no bylines). `per_section` is written into the SQL: a LIMIT parameter
    made PostgreSQL plan the prepared statement again on every request.
    """
    from articles.paging import SectionLink

    connection = connections[using]
    published_sql, published_params = _published_where(now or timezone.now(), using)
    columns = _card_columns("articles_article")
    per_section = int(per_section)
    if connection.vendor == "postgresql":
        sql = f"""
            SELECT s.id, s.name, s.slug, latest.* FROM articles_section s CROSS JOIN LATERAL (
                SELECT {columns} FROM articles_article
                WHERE articles_article.section_id = s.id AND {published_sql}
                ORDER BY articles_article.published_at DESC, articles_article.id DESC
                LIMIT {per_section}
            ) latest
            ORDER BY s.position, s.name, latest.published_at DESC, latest.id DESC"""
    else:
        sql = f"""
            SELECT s.id, s.name, s.slug, latest.* FROM articles_section s JOIN (
                SELECT {columns}, ROW_NUMBER() OVER (
                    PARTITION BY articles_article.section_id
                    ORDER BY articles_article.published_at DESC, articles_article.id DESC) AS n
                FROM articles_article WHERE articles_article.section_id IS NOT NULL AND {published_sql}
            ) latest ON latest.section_id = s.id
            WHERE latest.n <= {per_section}
            ORDER BY s.position, s.name, latest.published_at DESC, latest.id DESC"""
    blocks = []
    for section, card in _cards(connection, sql, published_params, skip=3):
        if not blocks or blocks[-1][0].pk != section[0]:
            blocks.append((SectionLink(*section), []))
        blocks[-1][1].append(card)
    return blocks
