"""The search document as an IMMUTABLE function, and writers that maintain search vectors themselves."""

from django.db import migrations

from articles import db_triggers


def install(apps, schema_editor):
    # SQLite has no search vector, and its triggers are reinstalled after every migrate (articles/apps.py).
    if schema_editor.connection.vendor == "postgresql":
        db_triggers.install(schema_editor.connection, schema=False, backfill=False)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_lead_image_source"),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop, elidable=False),
    ]
