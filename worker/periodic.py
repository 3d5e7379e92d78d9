"""
Periodic tasks without cron: a task registered with @periodic(seconds=60) always has exactly one pending
run. ensure_scheduled() (called by every `db_worker` on start) enqueues it if it has none; when a run
finishes, successful or not, after_task() enqueues the next one with run_after = now + the period.

One pending run, even with several workers: the PeriodicSchedule row of the task is locked (SELECT ... FOR
UPDATE) while it is checked and replaced, and only the run it names schedules the next; a duplicate (two
workers starting at once on SQLite, an operator's manual enqueue) runs but schedules nothing. A periodic
task must therefore be idempotent and cheap to run when there is nothing to do.

With a backend that cannot defer (TASKS_BACKEND=immediate in development) nothing is scheduled.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.tasks import TaskResultStatus, task_backends
from django.utils import timezone

from worker.models import PeriodicSchedule

_periods = {}  # task module path -> (task, seconds)


def periodic(*, seconds):
    """Run a task (put this above @task()) every `seconds`, from the first worker start on."""
    if seconds <= 0:
        raise ValueError(f"A period is a positive number of seconds, not {seconds}.")

    def register(task):
        _periods[task.module_path] = (task, seconds)
        return task

    return register


def is_periodic(task_path):
    return task_path in _periods


def _pending(result_id, backend):
    if not result_id:
        return False
    try:
        status = backend.get_result(result_id).status
    except Exception:  # the row was pruned (prune_db_task_results) or never existed
        return False
    return status in (TaskResultStatus.READY, TaskResultStatus.RUNNING)


def _schedule(task, row, run_after):
    result = task.using(run_after=run_after).enqueue()
    row.result_id, row.next_run_at = str(result.id), run_after or timezone.now()
    row.save(update_fields=["result_id", "next_run_at"])
    return result


def ensure_scheduled():
    """Enqueue every periodic task that has no pending run. Returns the paths it enqueued."""
    enqueued = []
    for path, (task, _seconds) in _periods.items():
        backend = task_backends[task.backend]
        if not backend.supports_defer:
            continue
        try:
            PeriodicSchedule.objects.get_or_create(task_path=path)
        except IntegrityError:  # created by another worker starting at the same moment
            pass
        with transaction.atomic():
            row = PeriodicSchedule.objects.select_for_update().get(task_path=path)
            if not _pending(row.result_id, backend):
                _schedule(task, row, None)
                enqueued.append(path)
    return enqueued


def after_task(sender, task_result, **kwargs):
    """task_finished receiver: the run a schedule names enqueues the next one."""
    path = task_result.task.module_path
    if path not in _periods:
        return
    task, seconds = _periods[path]
    if not task_backends[task_result.backend].supports_defer:
        return
    with transaction.atomic():
        row = PeriodicSchedule.objects.select_for_update().filter(task_path=path).first()
        if row is None or row.result_id != str(task_result.id):
            return
        _schedule(task, row, timezone.now() + timedelta(seconds=seconds))
