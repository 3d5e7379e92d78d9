"""
The roles migration (articles.0003) gave the groups the permissions of the models of its time; models
added since (related-story pins, slug history) had none, so no Editor or Publisher could pin a story in
the article form. Grant today's roles (desk/roles.py), adding to what a site gave the groups.
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
        ("desk", "0002_content_types"),
        ("articles", "0012_move_desk_models"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
