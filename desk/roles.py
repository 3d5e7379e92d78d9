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
]
EDITOR = [*REPORTER, "articles.review_article", "tags.change_tag", "desk.change_previewlink"]
# Publisher: every permission of the newsroom apps, publish_article included.
PUBLISHER_APPS = ["articles", "desk", "authors", "tags"]
ROLES = ["Reporter", "Editor", "Publisher"]


def assign_roles(Group, Permission):
    """Create (or reset) the three groups with their permissions."""

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
