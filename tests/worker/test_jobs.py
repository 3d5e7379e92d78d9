"""Jobs moved onto the worker: renditions after an admin upload, notification e-mail, scheduled publishing."""

import datetime

from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import Article, Status
from desk import workflow
from images.models import Image
from tests.images.conftest import encode, photo, upload
from tests.shared_fixtures import make_ready_article
from worker.models import PeriodicSchedule


def test_renditions_are_made_by_the_worker_after_an_upload_in_the_admin(
    admin_client, worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/images/image/add/",
            {"file": upload(encode(photo((1000, 700)), "JPEG")), "alt_text": "Harbour", "credit": "Staff"},
        )
    assert response.status_code == 302
    image = Image.objects.get()
    assert not image.renditions.exists()
    assert DBTaskResult.objects.filter(task_path="images.tasks.make_renditions").count() == 1

    worker()

    assert {(r.kind, r.width) for r in image.renditions.all()} >= {("width", 320), ("width", 960)}
    planned = image.planned_renditions()
    assert {(r.kind, r.width, r.format) for r in image.renditions.all()} == planned
    # Idempotent: a second run (a retry, a recovered task) leaves the same rows and files.
    before = sorted(image.renditions.values_list("file", flat=True))
    from images.tasks import make_renditions

    make_renditions.enqueue(image.pk)
    worker()
    assert sorted(image.renditions.values_list("file", flat=True)) == before


def test_the_notification_e_mail_is_sent_by_the_worker_once(
    reporter, editor, worker, django_capture_on_commit_callbacks
):
    article = make_ready_article(reporter, status=Status.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform("request_changes", article, editor, comment="Needs a second source")
    assert mail.outbox == []  # not in the request

    worker()

    assert len(mail.outbox) == 1
    assert "Changes requested" in mail.outbox[0].subject
    # Running the same task again (a retry, a recovered task) sends nothing more.
    from desk.notifications import send_notification

    send_notification.enqueue(article.transitions.latest("pk").pk)
    worker()
    assert len(mail.outbox) == 1


def test_a_scheduled_article_goes_live_by_the_periodic_task(reporter, publisher, worker):
    article = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher)
    article = workflow.perform(
        "schedule", article, publisher, publish_at=timezone.now() + datetime.timedelta(hours=1)
    )
    due = timezone.now() - datetime.timedelta(minutes=1)
    Article.objects.filter(pk=article.pk).update(publish_at=due, published_at=due)

    worker()  # a worker start schedules publish_scheduled, which runs at once

    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    schedule = PeriodicSchedule.objects.get(task_path="desk.tasks.publish_scheduled")
    next_run = DBTaskResult.objects.get(id=schedule.result_id)
    assert next_run.status == "READY"
    assert 55 <= (next_run.run_after - timezone.now()).total_seconds() <= 61
    # Another worker start does not schedule a second run.
    worker()
    assert DBTaskResult.objects.filter(task_path="desk.tasks.publish_scheduled", status="READY").count() == 1
