"""
The newsroom roles as Django groups (issue 3). The workflow checks permissions, not group names, so a site
can build other roles from the same permissions; load_demo adds its demo users to these three groups.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REPORTER = [
    "articles.add_article",
    "articles.change_article",
    "articles.view_article",
    "articles.add_byline",
    "articles.change_byline",
    "articles.delete_byline",
    "articles.view_byline",
    "articles.view_section",
    "articles.add_note",
    "articles.view_note",
    "articles.view_revision",
    "articles.view_transition",
    "articles.add_previewlink",
    "articles.view_previewlink",
    "authors.view_author",
    "tags.add_tag",
    "tags.view_tag",
]
EDITOR = [*REPORTER, "articles.review_article", "tags.change_tag", "articles.change_previewlink"]
# Publisher: every permission of the three newsroom apps, publish_article included.
PUBLISHER_APPS = ["articles", "authors", "tags"]


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create them now so that the
    # groups can reference them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    assign_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def assign_roles(Group, Permission):
    """Create (or reset) the three groups with their permissions; also used by tests after a flush."""

    def perms(codes):
        found = []
        for code in codes:
            app_label, codename = code.split(".")
            found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        return found

    Group.objects.get_or_create(name="Reporter")[0].permissions.set(perms(REPORTER))
    Group.objects.get_or_create(name="Editor")[0].permissions.set(perms(EDITOR))
    Group.objects.get_or_create(name="Publisher")[0].permissions.set(
        Permission.objects.filter(content_type__app_label__in=PUBLISHER_APPS)
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Reporter", "Editor", "Publisher"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_workflow"),
        ("authors", "0001_initial"),
        ("tags", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
