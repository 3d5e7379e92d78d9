"""
The newsroom roles as Django groups. The workflow checks permissions, not group names, so a site can build
other roles from the same permissions. Migration articles.0003 created the groups (with the permissions'
names of that time); assign_roles() makes them again from today's models, e.g. in tests after a flush.
"""

REPORTER = [
    "articles.add_article",
    "articles.change_article",
    "articles.view_article",
    "articles.add_byline",
    "articles.change_byline",
    "articles.delete_byline",
    "articles.view_byline",
    "articles.view_section",
    "articles.view_revision",
    "desk.add_note",
    "desk.view_note",
    "desk.view_transition",
    "desk.add_previewlink",
    "desk.view_previewlink",
    "authors.view_author",
    "tags.add_tag",
    "tags.view_tag",
    # The story budget: every plan, and the status of their own (planning/admin.py).
    "planning.view_story",
    "planning.update_story_status",
    # Live blogs (docs/live.md): add updates, edit one's own.
    "live.view_livecoverage",
    "live.add_liveupdate",
    "live.change_liveupdate",
    "live.view_liveupdate",
    "live.view_liveupdaterevision",
]
EDITOR = [
    *REPORTER,
    "articles.review_article",
    "tags.change_tag",
    "desk.change_previewlink",
    # Pinned related stories (the article form's inline).
    "articles.add_relatedpin",
    "articles.change_relatedpin",
    "articles.delete_relatedpin",
    "articles.view_relatedpin",
    # Desk heads plan and assign; they manage redirects (deleting one is the publisher's).
    "planning.add_story",
    "planning.change_story",
    "planning.delete_story",
    "redirects.add_redirect",
    "redirects.change_redirect",
    "redirects.view_redirect",
    # Live blogs: start and end coverage, edit and delete anyone's updates.
    "live.add_livecoverage",
    "live.change_livecoverage",
    "live.delete_liveupdate",
]
# Publisher: every permission of the newsroom apps, publish_article included.
PUBLISHER_APPS = ["articles", "desk", "authors", "tags", "planning", "redirects", "live"]
ROLES = ["Reporter", "Editor", "Publisher"]


def assign_roles(Group, Permission, *, reset=True):
    """
    Create the three groups with their permissions: exactly these (`reset`), or these added to what a
    site gave them (a migration granting the permissions of newer models).
    """

    def perms(codes):
        found = []
        for code in codes:
            app_label, codename = code.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None and not reset:
                # A migration granting roles before a newer app's models exist (desk.0003 on a fresh
                # database, before planning.0001): that app's own roles migration grants them later.
                continue
            if permission is None:
                raise Permission.DoesNotExist(f"No permission {code}: are its app's migrations applied?")
            found.append(permission)
        return found

    held = {
        "Reporter": perms(REPORTER),
        "Editor": perms(EDITOR),
        "Publisher": Permission.objects.filter(content_type__app_label__in=PUBLISHER_APPS),
    }
    for name, permissions in held.items():
        group = Group.objects.get_or_create(name=name)[0]
        if reset:
            group.permissions.set(permissions)
        else:
            group.permissions.add(*permissions)


def grant_in_migration(apps, schema_editor):
    """
    A data migration's step: give the groups today's roles, adding to what a site gave them. Every
    migration that adds a model to one of the PUBLISHER_APPS runs it, so its permissions reach the roles.
    """
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    assign_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), reset=False)
