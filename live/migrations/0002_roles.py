"""Grant the newsroom roles (desk/roles.py) the live blog permissions, adding to what a site gave them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from desk import roles


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles.assign_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), reset=False)


class Migration(migrations.Migration):
    dependencies = [
        ("live", "0001_initial"),
        ("desk", "0003_roles_for_newer_models"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
