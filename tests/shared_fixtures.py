"""
Fixtures every app's tests share (made available by tests/conftest.py): one user per newsroom role (the
groups come from the roles migration, desk/roles.py), an article that passes the pre-publish checks, and a
bulk-built published archive.
"""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone

from articles.models import Article, Byline, Status, TaggedArticle
from desk import roles, workflow
from tests.factories import make_article, make_author, make_section, make_tag


def ensure_roles():
    """The roles migration's groups (a transactional test's flush removes them)."""
    if not Group.objects.filter(name="Reporter").exists():
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


@pytest.fixture
def newsroom(db):
    """
    A published archive built with bulk inserts (as the importer writes): 3 sections, 6 authors, 12 tags and
    `articles` stories "Story number N", N hours old, each with several bylines and tags.
    """

    def build(articles=30, tags_per_article=6, authors_per_article=3):
        now = timezone.now()
        sections = [make_section(f"Section {name}") for name in "ABC"]
        authors = [make_author(f"Reporter {n}") for n in range(6)]
        tags = [make_tag(f"Topic {n}") for n in range(12)]
        made = Article.objects.bulk_create(
            Article(
                headline=f"Story number {n}",
                slug=f"story-number-{n}",
                dek=f"Dek of story {n}",
                body=f"<p>Body of story {n}.</p>",
                status=Status.PUBLISHED,
                published_at=now - datetime.timedelta(hours=n + 1),
                section=sections[n % 3],
            )
            for n in range(articles)
        )
        Byline.objects.bulk_create(
            Byline(article=article, author=authors[(n + k) % 6], position=k)
            for n, article in enumerate(made)
            for k in range(authors_per_article)
        )
        TaggedArticle.objects.bulk_create(
            TaggedArticle(content_object=article, tag=tags[(n + k) % 12])
            for n, article in enumerate(made)
            for k in range(tags_per_article)
        )
        return {"sections": sections, "authors": authors, "tags": tags, "articles": made}

    return build


def run_worker():
    """
    Run the real background worker (manage.py db_worker, django-tasks-db) in this process until the queue
    has nothing ready; returns how many task results it finished. Tests that enqueue work (e-mail,
    renditions) call it where a worker would have run; tasks enqueued in tests otherwise stay queued.
    """
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    before = DBTaskResult.objects.finished().count()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    return DBTaskResult.objects.finished().count() - before


@pytest.fixture
def worker(db):
    """The background worker, run on demand: `worker()` (see run_worker)."""
    return run_worker
