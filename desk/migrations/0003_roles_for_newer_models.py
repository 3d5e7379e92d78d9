"""
The roles migration (articles.0003) gave the groups the permissions of the models of its time; models
added since (related-story pins, slug history) had none, so no Editor or Publisher could pin a story in
the article form. Grant today's roles (desk/roles.py), adding to what a site gave the groups.
"""

from django.db import migrations

from desk import roles


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0002_content_types"),
        ("articles", "0012_move_desk_models"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(roles.grant_in_migration, migrations.RunPython.noop)]
