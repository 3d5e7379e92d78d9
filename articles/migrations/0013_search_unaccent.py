"""Search documents in the english_unaccent configuration (articles/db_triggers.py): "cafe" finds "Café"."""

from django.db import migrations

from articles import db_triggers


def reindex(apps, schema_editor):
    # SQLite has no search vector, and its triggers are reinstalled after every migrate (articles/apps.py).
    if schema_editor.connection.vendor != "postgresql":
        return
    db_triggers.install(schema_editor.connection, schema=False, backfill=False)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_article SET search_vector = articles_search_document(id, headline, dek, body)"
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0012_move_desk_models")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop, elidable=False)]
