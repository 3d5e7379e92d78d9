"""Public site: visibility on TaggedArticle, covering list indexes, triggers (articles/db_triggers.py)."""

from django.db import migrations, models

from articles import db_triggers

VISIBILITY_COLUMNS = ["status", "publish_at", "unpublish_at", "legal_hold"]


def install(apps, schema_editor):
    db_triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    db_triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_public_pages_triggers")]

    operations = [
        migrations.RunPython(uninstall, migrations.RunPython.noop, elidable=False),
        migrations.RemoveIndex(model_name="taggedarticle", name="taggedarticle_tag_newest"),
        migrations.RenameField(model_name="taggedarticle", old_name="published_at", new_name="visible_from"),
        migrations.AddField(
            model_name="taggedarticle",
            name="visible_until",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="taggedarticle",
            index=models.Index(
                fields=["tag", "-visible_from", "-content_object", "visible_until"],
                name="taggedarticle_tag_visible",
            ),
        ),
        migrations.RemoveIndex(model_name="article", name="article_newest"),
        migrations.RemoveIndex(model_name="article", name="article_section_newest"),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["-published_at", "-id", *VISIBILITY_COLUMNS], name="article_newest"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["section", "-published_at", "-id", *VISIBILITY_COLUMNS], name="article_section_newest"
            ),
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
