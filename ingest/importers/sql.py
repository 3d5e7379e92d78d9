"""
The write stage's SQL: bulk writes of a batch's rows, faster than the ORM's, and the upkeep of a long
import (planner statistics, the DEBUG query log).

Bulk writes bypass ``Article.save()``; the importer does what it would (``save``). On PostgreSQL the
writers send their values as arrays bound server-side in binary (``INSERT ... SELECT FROM unnest()``),
elsewhere they fall back to ``bulk_create`` or ``executemany``.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction

from articles.models import Article

# Values of these field types go to the driver as they are (str, int, bool, aware datetime, None);
# get_db_prep_save() would return them unchanged, at a cost that dominated bulk_create here.
_PLAIN_FIELDS = (
    models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.DateTimeField,
    models.ForeignKey,
)  # fmt: skip


def insert_articles(objs: list[Article], *, search_tags: list[str], body_vectors: list[bytes | None]) -> None:
    """
    Article.objects.bulk_create(objs), setting their primary keys; on PostgreSQL one
    INSERT ... SELECT FROM unnest(arrays) RETURNING, with values read straight from the instances, and
    each article's search vector computed from its fields and `search_tags` (its tag names, one string
    per article) in the same statement, with the body's part taken from `body_vectors` where one was
    computed ahead (binary form; None: computed here). Like bulk_create it calls no save() and sends no
    signals; auto_now fields are filled (pre_save).
    """
    if not objs:
        return
    if connection.vendor != "postgresql":
        Article.objects.bulk_create(objs)
        return
    fields = [f for f in Article._meta.concrete_fields if not f.primary_key]
    columns = []
    for f in fields:
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
            columns.append([f.pre_save(obj, True) for obj in objs])
        elif isinstance(f, _PLAIN_FIELDS):
            columns.append([getattr(obj, f.attname) for obj in objs])
        else:
            columns.append([f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in objs])
    table = connection.ops.quote_name(Article._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    arrays = ", ".join([*(f"%b::{_array_type(f)}[]" for f in fields), "%b::text[]", "%b::tsvector[]"])
    pk = connection.ops.quote_name(Article._meta.pk.column)
    # articles_search_text(headline, dek, tags, body), its body part possibly computed ahead.
    document = (
        "articles_search_head(u.headline, u.dek, u.search_tags)"
        " || coalesce(u.body_vector, articles_search_body(u.body))"
    )
    ids = [
        row[0]
        for row in _execute_binary(
            f"INSERT INTO {table} ({names}, search_vector)"
            f" SELECT {', '.join('u.' + name for name in names.split(', '))}, {document}"
            f" FROM unnest({arrays}) AS u({names}, search_tags, body_vector)"
            f" RETURNING {pk}",
            [*columns, search_tags, body_vectors],
        )
    ]
    # PostgreSQL returns the rows of INSERT ... SELECT FROM unnest() in input order (Django's own
    # bulk_create relies on the same); check the count at least.
    if len(ids) != len(objs):
        raise DatabaseError(f"inserted {len(ids)} rows for {len(objs)} objects")
    for obj, pk_value in zip(objs, ids, strict=True):
        obj.pk = pk_value
        obj._state.adding = False
        obj._state.db = connection.alias


def _array_type(field) -> str:
    # varchar(n)[] casts would re-check lengths the validation already checked; text[] is the same data.
    db_type = field.db_type(connection)
    return "text" if db_type.startswith("varchar") else db_type


def insert_rows(model, field_names: list[str], rows: list[tuple]) -> None:
    """
    INSERT `rows` (values for `field_names`) into `model`'s table in one statement, without model
    instances: for bylines and tag links, building instances was most of bulk_create's time. Other
    concrete fields get their defaults. PostgreSQL: INSERT ... SELECT FROM unnest(arrays); elsewhere
    executemany. Only for rows that need no save() logic and no primary key back.
    """
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in field_names]
    extra = [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in field_names and f.has_default()
    ]
    columns = [*fields, *extra]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in extra)
    prepared = [i for i, f in enumerate(fields) if not isinstance(f, _PLAIN_FIELDS)]  # e.g. JSON
    if prepared:
        rows = [
            tuple(
                fields[i].get_db_prep_save(v, connection) if i in prepared else v for i, v in enumerate(row)
            )
            for row in rows
        ]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%b::{_array_type(f)}[]" for f in columns)
        params = [list(column) for column in zip(*(row + defaults for row in rows), strict=True)]
        _execute_binary(f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays})", params)
    else:
        placeholders = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({placeholders})", [row + defaults for row in rows]
            )


def store_fingerprints(fingerprints: list[tuple[int, str]]) -> None:
    """Set import_fingerprint of articles by primary key, in one statement (bulk_update's CASE is slow)."""
    table = connection.ops.quote_name(Article._meta.db_table)
    pk = connection.ops.quote_name(Article._meta.pk.column)
    if connection.vendor == "postgresql":
        pk_type = Article._meta.pk.rel_db_type(connection)
        ids, values = (list(column) for column in zip(*fingerprints, strict=True))
        _execute_binary(
            f"UPDATE {table} AS a SET import_fingerprint = u.fingerprint"
            f" FROM unnest(%b::{pk_type}[], %b::text[]) AS u(id, fingerprint) WHERE a.{pk} = u.id",
            [ids, values],
        )
    else:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET import_fingerprint = %s WHERE {pk} = %s",
                [(value, id_) for id_, value in fingerprints],
            )


def body_search_vectors(bodies: list[str]) -> list[_Tsvector]:
    """
    The body part of each article's search vector (articles_search_body), in order, in binary form for
    insert_articles' `body_vectors`. Raises DatabaseError for a body PostgreSQL cannot make one of.
    """
    rows = _execute_binary(
        "SELECT articles_search_body(body) FROM unnest(%b::text[]) WITH ORDINALITY AS u(body, i) ORDER BY i",
        [bodies],
        binary_results=True,  # tsvectors travel in binary both ways: no text to print and parse
    )
    return [_Tsvector(vector) for (vector,) in rows]


def update_search_vectors(ids: list[int]) -> None:
    """Recompute the search vectors of these articles (PostgreSQL), once their tag links are written."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE articles_article SET search_vector ="
                " articles_search_document(id, headline, dek, body) WHERE id = ANY(%s)",
                [ids],
            )


def _execute_binary(sql: str, params: list, *, binary_results: bool = False) -> list[tuple]:
    """
    Run `sql` on PostgreSQL with its parameters bound server-side in binary (%b placeholders).
    Django's cursors bind client-side, quoting every array element into the SQL text: for a batch
    of article bodies that quoting was the largest cost of the insert. Same connection and
    transaction as Django's; errors are translated to django.db errors. `binary_results`: results in
    binary too (types psycopg has no loader for, such as tsvector, come back as bytes).
    """
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.adapters.register_dumper(_Tsvector, _tsvector_dumper())
        cursor.execute(sql, params, binary=binary_results)
        return cursor.fetchall() if cursor.description else []


class _Tsvector(bytes):
    """A tsvector in PostgreSQL's binary format, as the server sent it (passed back unchanged)."""


@functools.cache
def _tsvector_dumper():
    from psycopg.adapt import Dumper
    from psycopg.postgres import types
    from psycopg.pq import Format

    class TsvectorDumper(Dumper):
        format = Format.BINARY
        oid = types.get("tsvector").oid

        def dump(self, obj):
            return obj

    return TsvectorDumper


def refresh_statistics() -> None:
    """
    ANALYZE the article table on PostgreSQL when a large share of it changed since the last ANALYZE.

    The existing-article lookup is planned from the table's statistics. During a large import (or a
    re-import right after one, before autovacuum caught up) they describe a much smaller table: the
    planner then scans by source alone and reads the whole table for every batch (quadratic time).
    Checked at the first batch and every STATISTICS_EVERY batches; skipped if not permitted.
    """
    if connection.vendor != "postgresql":
        return
    table = Article._meta.db_table
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT n_live_tup, n_mod_since_analyze FROM pg_stat_user_tables WHERE relid = %s::regclass",
                [table],
            )
            row = cursor.fetchone()
            if row and row[1] > max(1000, 0.2 * row[0]):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    except DatabaseError:
        pass  # not the table's owner: the lookups are slower, the import still correct


def forget_queries() -> None:
    """
    With DEBUG on, Django keeps the last 9,000 queries with their parameters; for batch inserts that is
    hundreds of megabytes. Drop them after each batch, unless a test is capturing queries.
    """
    if settings.DEBUG and not connection.force_debug_cursor:
        connection.queries_log.clear()
