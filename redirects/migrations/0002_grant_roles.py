"""
Grant the newsroom roles (desk/roles.py) the permissions of the redirects app's models, added to what a site
gave the groups (as desk.0003 does for the models of its time).
"""

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
        ("redirects", "0001_initial"),
        ("desk", "0003_roles_for_newer_models"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
