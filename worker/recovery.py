"""
No task is lost when a worker dies mid-task.

django-tasks-db claims a task by setting it RUNNING (with the worker's id appended to worker_ids) in the
transaction that locked it; if the process then dies (kill -9, OOM, a lost machine) the row stays
RUNNING for ever: the library has no recovery of its own (django_tasks_db 0.13: nothing reads RUNNING
rows back). So each of our workers (worker/management/commands/db_worker.py) keeps a Heartbeat row
fresh, every WORKER_HEARTBEAT_SECONDS, from a thread beside the task it runs; and every worker, on start
and at each beat, hands back to the queue (status READY) the RUNNING tasks whose claiming worker has not
been seen for WORKER_STALE_SECONDS (3 beats by default) and which started before that. The task then runs
again from the start, on whichever worker claims it: tasks are idempotent (worker/retry.py).
"""

import logging
import os
import socket
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from worker.models import Heartbeat

logger = logging.getLogger(__name__)


def beat(worker_id):
    now = timezone.now()
    updated = Heartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        Heartbeat.objects.create(
            worker_id=worker_id,
            hostname=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=now,
            seen_at=now,
        )


def forget(worker_id):
    Heartbeat.objects.filter(worker_id=worker_id).delete()


def recover_stale(now=None):
    """Put back in the queue the tasks claimed by workers that are gone. Returns their ids."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.WORKER_STALE_SECONDS)
    running = list(
        DBTaskResult.objects.running().filter(started_at__lt=cutoff).values_list("id", "worker_ids")
    )
    if not running:
        return []
    alive = set(Heartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    recovered = []
    for result_id, worker_ids in running:
        if worker_ids and worker_ids[-1] in alive:
            continue
        with transaction.atomic():
            # Only if still RUNNING: the worker may have finished it since we looked.
            changed = DBTaskResult.objects.filter(id=result_id, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, started_at=None
            )
        if changed:
            recovered.append(str(result_id))
            logger.warning(
                "Task %s was claimed by worker %s, which is gone: queued again", result_id, worker_ids[-1:]
            )
    Heartbeat.objects.filter(seen_at__lt=now - timedelta(seconds=settings.WORKER_STALE_SECONDS * 10)).delete()
    return recovered
