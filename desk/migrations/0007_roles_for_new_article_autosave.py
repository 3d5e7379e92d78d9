"""Today's roles (desk/roles.py) get the permissions of the new article's autosave model too."""

from django.db import migrations

from desk import roles


class Migration(migrations.Migration):
    dependencies = [("desk", "0006_new_article_autosave")]

    operations = [migrations.RunPython(roles.grant_in_migration, migrations.RunPython.noop)]
