"""
PostgreSQL extensions of search: unaccent (accent-folded documents and queries, see articles/db_triggers.py)
and pg_trgm, with a trigram index on headlines for "did you mean" (search/suggest.py). Nothing on SQLite.
"""

from django.contrib.postgres.operations import CreateExtension
from django.db import migrations

HEADLINE_INDEX = "search_article_headline_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {HEADLINE_INDEX} ON articles_article"
            " USING gin (headline gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {HEADLINE_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("articles", "0013_search_unaccent")]

    operations = [
        # unaccent is not created here: the article's triggers (articles.0013, articles/db_triggers.py)
        # create it with the english_unaccent configuration that depends on it, and it stays with them
        # (dropping it when this migration is reversed would fail on that dependency).
        CreateExtension("pg_trgm"),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
