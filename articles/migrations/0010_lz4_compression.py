"""
Compress the large values (article bodies, search vectors, revision snapshots) with lz4 on PostgreSQL.

A row over ~2 kB (most articles, with their search vector) and every revision's snapshot are
TOAST-compressed when written. With lz4 instead of PostgreSQL's default, pglz, an import took about a
tenth less of the server's CPU (bench/RESULTS.md); lz4 is several times faster at a similar size. Only
values written from now on use it; PostgreSQL reads both. Servers built without lz4 keep pglz, and
SQLite has no such setting.
"""

from django.db import migrations

COLUMNS = [
    ("articles_article", "body"),
    ("articles_article", "search_vector"),
    ("articles_revision", "snapshot"),
]


def lz4_available(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def set_compression(method):
    def operation(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql" or not lz4_available(connection):
            return
        for table, column in COLUMNS:
            schema_editor.execute(
                f"ALTER TABLE {schema_editor.quote_name(table)}"
                f" ALTER COLUMN {schema_editor.quote_name(column)} SET COMPRESSION {method}"
            )

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_import_fingerprint"),
    ]

    operations = [
        migrations.RunPython(set_compression("lz4"), set_compression("pglz"), elidable=False),
    ]
