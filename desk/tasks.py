"""
Scheduled publishing by the worker: publish_scheduled runs every minute (worker/periodic.py: scheduled on
every worker start if it has no pending run, then re-enqueued after each run), so no cron line is needed.

Readers already see a scheduled article from its publish_at on (Article.objects.published() is
time-based, the source of truth); this only finalizes state and side effects (status, published_at, the
log, notifications, cache purge), through desk.workflow.run_scheduled, which is idempotent and safe to
run concurrently. The `publish_scheduled` command does the same by hand.
"""

from django.tasks import task

from desk import workflow
from worker.periodic import periodic


@periodic(seconds=60)
@task()
def publish_scheduled():
    published, expired = workflow.run_scheduled()
    return {"published": published, "unpublished": expired}
