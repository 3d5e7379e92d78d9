"""Workflow fixtures: one user per newsroom role (the groups come from the roles migration)."""

import importlib

import pytest
from django.contrib.auth.models import Group, Permission, User

from articles import workflow
from articles.models import Status
from tests.factories import make_article, make_author, make_section, make_tag


def ensure_roles():
    """The roles migration's groups (a transactional test's flush removes them)."""
    if not Group.objects.filter(name="Reporter").exists():
        roles = importlib.import_module("articles.migrations.0003_workflow_roles")
        roles.assign_roles(Group, Permission)


def make_user(username, group=None, **fields):
    email = fields.pop("email", f"{username}@example.com")
    user = User.objects.create_user(username, email, "pw-" + username, is_staff=True, **fields)
    if group:
        ensure_roles()
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reporter(db):
    return make_user("reporter", "Reporter")


@pytest.fixture
def other_reporter(db):
    return make_user("other_reporter", "Reporter")


@pytest.fixture
def editor(db):
    return make_user("editor", "Editor")


@pytest.fixture
def publisher(db):
    return make_user("publisher", "Publisher")


@pytest.fixture
def superuser(db):
    return make_user("root", is_superuser=True)


@pytest.fixture
def users(reporter, editor, publisher, superuser):
    return {"reporter": reporter, "editor": editor, "publisher": publisher, "superuser": superuser}


def make_ready_article(reporter, *, status=Status.DRAFT, approved=False, approver=None, **fields):
    """An article that passes every pre-publish check, started by `reporter` (their author has an email)."""
    author = getattr(reporter, "author", None) if reporter else None
    if author is None:
        author = make_author(f"Author for {reporter}", email=f"{reporter}-author@example.com", user=reporter)
    fields.setdefault("section", make_section())
    fields.setdefault("dek", "A dek.")
    article = make_article(
        status=status,
        published_at=fields.pop("published_at", None),
        authors=[author],
        tags=[make_tag()],
        created_by=reporter,
        **fields,
    )
    revision = workflow.record_revision(article, reporter, comment="Created")
    if approved:
        revision.approved_by = approver
        revision.approved_at = revision.created_at
        revision.save()
    return article


@pytest.fixture
def ready_article(reporter):
    return make_ready_article(reporter)
