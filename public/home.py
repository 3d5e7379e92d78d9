"""
The home page's blocks: the newest articles of every section in one query, a LATERAL join on PostgreSQL
(each section reads its index) and ROW_NUMBER() on SQLite, read as story cards (public.paging.Card) with
only the columns a story link shows (articles.related.CARD_FIELDS).
"""

from django.db import connections
from django.utils import timezone

from articles.models import Article
from articles.related import card_columns, card_fields, published_where
from public.paging import Card, SectionLink


def _cards(connection, sql, params, *, skip=0):
    """
    (the first `skip` columns, a story card without bylines) for each row: the card from the row's next
    columns, card_columns(), converted as the ORM converts those fields.
    """
    columns = [field.get_col("articles_article") for field in card_fields(Article)]
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


def latest_per_section(per_section, *, now=None, using="default"):
    """
    [(SectionLink, [Card, ...]), ...]: the sections with published stories, in section order, each with its
    `per_section` newest story cards (no bylines). `per_section` is written into the SQL: a LIMIT parameter
    made PostgreSQL plan the prepared statement again on every request.
    """
    connection = connections[using]
    published_sql, published_params = published_where(Article, now or timezone.now(), using)
    columns = card_columns(Article, "articles_article")
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
