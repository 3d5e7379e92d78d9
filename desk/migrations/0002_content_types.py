"""
The moved models' content types follow them (articles.note → desk.note, …), so their permissions, the
groups that hold them and the admin's log entries stay attached. On a fresh database the roles migration
(articles.0003) created these content types already, so the same rename applies.
"""

from django.db import migrations

MOVED = ["note", "previewlink", "transition"]


def rename(apps, from_app, to_app):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=to_app, model=model).exists():
            ContentType.objects.filter(app_label=from_app, model=model).update(app_label=to_app)


def forwards(apps, schema_editor):
    rename(apps, "articles", "desk")


def backwards(apps, schema_editor):
    rename(apps, "desk", "articles")


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0001_initial"),
        ("articles", "0003_workflow_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
