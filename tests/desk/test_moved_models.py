"""
Transition, Note and PreviewLink moved from articles to desk (migrations articles.0012, desk.0001 and
desk.0002). A database made before the move migrates to the new layout keeping every row, and the moved
models' permissions stay with the groups that hold them.
"""

import datetime
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from articles.models import Article
from desk import roles
from desk.models import Note, PreviewLink, Transition

BEFORE_THE_MOVE = [("articles", "0011_redundant_indexes"), ("desk", None)]
MOVED_TABLES = ["articles_transition", "articles_note", "articles_previewlink"]
# Apps made after the move: migrating back to it takes their tables, migrating forward makes them again.
NEWER_APPS_TABLES = ("live_",)


def table_rows(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
        return [tuple(str(value) for value in row) for row in cursor.fetchall()]


def every_table():
    """Every table but the migration recorder's (which of course changes)."""
    tables = connection.introspection.table_names()
    return sorted(
        table for table in tables if not table.startswith("sqlite_") and table != "django_migrations"
    )


def migrate(targets):
    """Migrate to `targets`; the models as they were there (the apps the targets depend on)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    nodes = [target for target in targets if target[1] is not None]
    return executor.loader.project_state([*nodes, ("auth", "0012_alter_user_first_name_max_length")]).apps


def leaf_nodes():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def database_before_the_move(transactional_db):
    """The database as the last release left it (articles at 0011, no desk app), migrated back afterwards."""
    old_apps = migrate(BEFORE_THE_MOVE)
    yield old_apps
    migrate(leaf_nodes())


def fill_with_the_old_models(apps):
    User = apps.get_model("auth", "User")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    OldArticle = apps.get_model("articles", "Article")
    OldRevision = apps.get_model("articles", "Revision")
    now = timezone.now()
    user = User.objects.create(username="editor-before-the-move")
    article = OldArticle.objects.create(headline="Written before the move", slug="written-before-the-move")
    revision = OldRevision.objects.create(article=article, number=1, user=user, snapshot={"headline": "x"})
    for number in range(3):
        apps.get_model("articles", "Transition").objects.create(
            article=article,
            actor=user,
            action="submit",
            from_status="draft",
            to_status="in_review",
            comment=f"Transition {number}",
            version=number,
            created_at=now - datetime.timedelta(minutes=number),
        )
    apps.get_model("articles", "Note").objects.create(article=article, author=user, text="Check the spelling")
    apps.get_model("articles", "PreviewLink").objects.create(
        article=article, revision=revision, created_by=user, expires_at=now + datetime.timedelta(hours=1)
    )
    # The roles as the roles migration made them, and a group of the site's own.
    importlib.import_module("articles.migrations.0003_workflow_roles").assign_roles(Group, Permission)
    group = Group.objects.create(name="Night desk")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="articles", codename__in=["add_note", "view_transition"]
        )
    )
    return article.pk


def test_every_row_survives_the_move_to_the_desk_app(database_before_the_move):
    article_id = fill_with_the_old_models(database_before_the_move)
    before = {table: table_rows(table) for table in every_table()}

    migrate(leaf_nodes())

    after = {table: table_rows(table) for table in every_table()}
    # No table dropped; none added but those of the newer apps.
    assert set(before) <= set(after)
    assert [table for table in after if table not in before and not table.startswith(NEWER_APPS_TABLES)] == []
    for table in MOVED_TABLES:
        assert after[table] == before[table] and before[table], table
    # No row of any table is lost. Only the moved models' content types change (their app label), and
    # desk.0003 may add permissions and grant them to the roles; every other table is exactly the same.
    for table in before:
        if table != "django_content_type":
            assert set(before[table]) <= set(after[table]), table
    grows = {"auth_permission", "auth_group_permissions", "django_content_type"}
    assert [table for table in before if table not in grows and after[table] != before[table]] == []
    content_types = {row[0]: row[1:] for row in after["django_content_type"]}
    for row in before["django_content_type"]:
        app_label, model = row[1:]
        moved = app_label == "articles" and model in {"transition", "note", "previewlink"}
        assert content_types[row[0]] == (("desk", model) if moved else (app_label, model))

    article = Article.objects.get(pk=article_id)
    assert [t.comment for t in Transition.objects.filter(article=article)] == [
        "Transition 0",
        "Transition 1",
        "Transition 2",
    ]
    assert list(article.notes.values_list("text", flat=True)) == ["Check the spelling"]
    link = PreviewLink.objects.get(article=article)
    assert link.revision.article_id == article_id and PreviewLink.from_token(link.token) == link
    assert Note.objects.count() == 1


def test_the_moved_models_permissions_stay_with_their_groups(database_before_the_move):
    from django.contrib.auth.models import Group

    fill_with_the_old_models(database_before_the_move)
    permission_ids = set(Group.objects.get(name="Night desk").permissions.values_list("pk", flat=True))

    migrate(leaf_nodes())

    night_desk = Group.objects.get(name="Night desk")
    assert set(night_desk.permissions.values_list("pk", flat=True)) == permission_ids
    assert sorted(f"{p.content_type.app_label}.{p.codename}" for p in night_desk.permissions.all()) == [
        "desk.add_note",
        "desk.view_transition",
    ]


def test_the_roles_migration_and_desk_roles_give_the_same_permissions(db):
    """The groups the roles migration made (then moved) hold what desk.roles assigns today."""
    from django.contrib.auth.models import Group, Permission

    def held(name):
        return sorted(Group.objects.get(name=name).permissions.values_list("pk", flat=True))

    from_migrations = {name: held(name) for name in roles.ROLES}
    roles.assign_roles(Group, Permission)
    assert {name: held(name) for name in roles.ROLES} == from_migrations
