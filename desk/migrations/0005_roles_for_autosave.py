"""Today's roles (desk/roles.py) get the permissions of the autosave and presence models too."""

from django.db import migrations

from desk import roles


class Migration(migrations.Migration):
    dependencies = [("desk", "0004_autosave_presence")]

    operations = [migrations.RunPython(roles.grant_in_migration, migrations.RunPython.noop)]
