"""Triggers for the public site's denormalized columns (see articles/db_triggers.py); vendor-specific SQL."""

from django.db import migrations

from articles import db_triggers


def install(apps, schema_editor):
    db_triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    db_triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_public_pages")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
