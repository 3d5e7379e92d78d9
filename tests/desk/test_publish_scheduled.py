"""publish_scheduled: finalizes due schedules and expiries, idempotent and safe to run concurrently."""

import datetime
import threading
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from articles import signals
from articles.models import Article, Status
from desk import workflow
from desk.models import Transition
from tests.shared_fixtures import make_ready_article


def schedule(reporter, publisher, when):
    article = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher)
    future = timezone.now() + datetime.timedelta(hours=1)
    article = workflow.perform("schedule", article, publisher, publish_at=future)
    # Time passes: move publish_at to `when` (as if scheduled earlier). Keep the published_at invariant.
    Article.objects.filter(pk=article.pk).update(publish_at=when, published_at=when)
    return article


def run(*args):
    out = StringIO()
    call_command("publish_scheduled", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_due_articles_become_published_at_their_publish_at_and_are_logged(
    reporter, publisher, django_capture_on_commit_callbacks, worker
):
    due_at = (timezone.now() - datetime.timedelta(minutes=3)).replace(microsecond=0)
    due = schedule(reporter, publisher, due_at)
    later = schedule(reporter, publisher, timezone.now() + datetime.timedelta(hours=3))

    fired = []

    def purge(sender, article, action, actor, **kwargs):  # what a cache purge would connect
        fired.append((article.pk, action, actor))

    signals.article_published.connect(purge)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            output = run()
    finally:
        signals.article_published.disconnect(purge)

    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, due.published_at) == (Status.PUBLISHED, due_at)
    assert later.status == Status.SCHEDULED
    log = Transition.objects.get(article=due, action="go_live")
    assert (log.actor, log.from_status, log.to_status) == (None, "scheduled", "published")
    assert "Published 1, unpublished 0" in output
    assert fired == [(due.pk, "go_live", None)]
    worker()  # the notification e-mail is the worker's task
    assert any("Published" in m.subject for m in mail.outbox)


@pytest.mark.django_db
def test_running_twice_changes_nothing_the_second_time(reporter, publisher):
    schedule(reporter, publisher, timezone.now() - datetime.timedelta(minutes=1))
    run()
    assert "Published 0, unpublished 0" in run()
    assert Transition.objects.filter(action="go_live").count() == 1


@pytest.mark.django_db
def test_dry_run_lists_but_changes_nothing(reporter, publisher):
    article = schedule(reporter, publisher, timezone.now() - datetime.timedelta(minutes=1))
    output = run("--dry-run")
    article.refresh_from_db()
    assert article.status == Status.SCHEDULED
    assert f"would publish {article.pk}" in output
    assert not Transition.objects.filter(action="go_live").exists()


@pytest.mark.django_db
def test_held_scheduled_articles_are_not_published(reporter, editor, publisher):
    article = schedule(reporter, publisher, timezone.now() - datetime.timedelta(minutes=1))
    workflow.perform("hold", article, editor, comment="Court order")
    run()
    article.refresh_from_db()
    assert article.status == Status.SCHEDULED
    assert not Article.objects.published().filter(pk=article.pk).exists()


@pytest.mark.django_db
def test_expired_articles_are_unpublished(reporter):
    article = make_ready_article(
        reporter, status=Status.PUBLISHED, unpublish_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert not Article.objects.published().filter(pk=article.pk).exists()  # already offline by query
    assert "unpublished 1" in run()
    article.refresh_from_db()
    assert article.status == Status.UNPUBLISHED
    assert Transition.objects.get(article=article).action == "expire"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_publish_each_article_exactly_once(reporter, publisher):
    for _ in range(20):
        schedule(reporter, publisher, timezone.now() - datetime.timedelta(minutes=1))
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait()
            call_command("publish_scheduled", stdout=StringIO())
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Article.objects.filter(status=Status.PUBLISHED).count() == 20
    assert Transition.objects.filter(action="go_live").count() == 20


@pytest.mark.django_db
def test_at_a_frozen_clock_nothing_is_finalized_a_second_early(reporter, publisher):
    when = (timezone.now() + datetime.timedelta(hours=1)).replace(microsecond=0)
    article = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher)
    workflow.perform("schedule", article, publisher, publish_at=when)

    assert workflow.run_scheduled(when - datetime.timedelta(seconds=1)) == ([], [])
    assert Article.objects.get(pk=article.pk).status == Status.SCHEDULED

    assert workflow.run_scheduled(when) == ([article.pk], [])
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.PUBLISHED, when)
    assert Article.objects.published(now=when).filter(pk=article.pk).exists()
