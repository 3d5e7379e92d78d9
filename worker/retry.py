"""
Retries with exponential backoff and a dead-letter state, built once around Django's task API.

django.tasks backends (django-tasks-db included) run a task once: a failure leaves a FAILED result and
nothing more. This module adds, for every task of the project and later for webhook delivery:

    from django.tasks import task
    from worker.retry import retrying

    @retrying(max_attempts=5, base_delay=30, max_delay=3600)
    @task()
    def deliver(delivery_id): ...

- A failed attempt n (1-based) is enqueued again with run_after = now + min(max_delay,
  base_delay * 2**(n-1) * (1 + jitter * random())): 30 s, 60 s, 120 s... each a little later at random,
  so a burst of failures does not retry in lock step.
- After max_attempts failures the task is dead-lettered: a DeadLetter row with its arguments and last
  traceback, listed in the admin ("Failed tasks") with a retry action, and `task_dead_lettered` is sent
  (sender: the task's module path) so an owner can react, e.g. disable a failing webhook endpoint.
- A task without @retrying runs once (DEFAULT_POLICY) and is dead-lettered on its first failure: no
  failure goes unseen.
- `once(key, do)` runs a side effect that cannot be repeated harmlessly (an e-mail, a POST elsewhere) at
  most once per key across retries, unless the process dies between doing it and recording it.
- `attempt_of(result_id)` tells a running task which attempt it is (with takes_context=True:
  `attempt_of(context.task_result.id)`), e.g. for a delivery log.

It all happens in a task_finished receiver (after_task), in the worker process, so a task's own code has
nothing to do but raise. Attempts are recorded in TaskAttempt rows keyed by the result id, in the same
transaction as the retry's enqueue (the database backend's rows are in the same database).

Tasks must be idempotent: a retry, a manual retry from the admin, or a task recovered from a dead worker
(worker/recovery.py) runs the same arguments again, perhaps after a partial first run. Pass ids, not
objects, and have the task check what is already done.
"""

import dataclasses
import logging
import random
from datetime import timedelta

from django.db import transaction
from django.dispatch import Signal
from django.tasks import TaskResultStatus, task_backends
from django.utils import timezone

from worker.models import CompletedKey, DeadLetter, TaskAttempt

logger = logging.getLogger(__name__)

task_dead_lettered = Signal()  # sender: task module path; kwargs: dead_letter


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 1
    base_delay: float = 10.0  # seconds before the first retry
    max_delay: float = 3600.0  # no retry waits longer than this
    jitter: float = 0.25  # up to this fraction is added to each delay at random

    def __post_init__(self):
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {self.max_attempts}.")
        if self.base_delay < 0 or self.max_delay < self.base_delay:
            raise ValueError("base_delay must be >= 0 and max_delay >= base_delay.")
        if not 0 <= self.jitter <= 1:
            raise ValueError(f"jitter is a fraction between 0 and 1, not {self.jitter}.")

    def delay(self, attempt, rand=random.random):
        """Seconds to wait after failed attempt `attempt` (1-based) before the next one."""
        delay = self.base_delay * 2 ** (attempt - 1)
        return min(self.max_delay, delay * (1 + self.jitter * rand()))


DEFAULT_POLICY = RetryPolicy()
_policies = {}


def retrying(*, max_attempts=5, base_delay=10.0, max_delay=3600.0, jitter=0.25):
    """Give a task (a django.tasks Task, so put this above @task()) retries with backoff."""
    policy = RetryPolicy(max_attempts=max_attempts, base_delay=base_delay, max_delay=max_delay, jitter=jitter)

    def register(task):
        _policies[task.module_path] = policy
        return task

    return register


def policy_for(task_path):
    return _policies.get(task_path, DEFAULT_POLICY)


def attempt_of(result_id):
    """Which attempt (1, 2, ...) the task result `result_id` is."""
    row = TaskAttempt.objects.filter(result_id=str(result_id)).only("attempt").first()
    return row.attempt if row else 1


def once(key, do):
    """
    Call do() unless a previous run recorded `key` as done; record it afterwards. Returns do()'s result,
    or None when it was already done. At least once if the process dies between do() and the record.
    """
    if CompletedKey.objects.filter(key=key).exists():
        return None
    result = do()
    CompletedKey.objects.get_or_create(key=key)
    return result


def after_task(sender, task_result, **kwargs):
    """task_finished receiver: retry a failed task with backoff, or dead-letter it."""
    if task_result.status != TaskResultStatus.FAILED:
        return
    from worker import periodic

    task = task_result.task
    if periodic.is_periodic(task.module_path):
        # The next scheduled run is the retry (worker/periodic.py); the failed result keeps the error.
        logger.error("Periodic task %s failed: %s", task.module_path, _last_error(task_result)[0])
        return
    policy = policy_for(task.module_path)
    result_id = str(task_result.id)
    with transaction.atomic():
        current = TaskAttempt.objects.filter(result_id=result_id).first()
        attempt = current.attempt if current else 1
        first_result_id = current.first_result_id if current else result_id
        backend = task_backends[task_result.backend]
        if attempt < policy.max_attempts and backend.supports_defer:
            run_after = timezone.now() + timedelta(seconds=policy.delay(attempt))
            retry = task.using(run_after=run_after).enqueue(*task_result.args, **task_result.kwargs)
            if current is None:
                TaskAttempt.objects.create(
                    result_id=result_id,
                    first_result_id=first_result_id,
                    attempt=1,
                    task_path=task.module_path,
                )
            TaskAttempt.objects.create(
                result_id=str(retry.id),
                first_result_id=first_result_id,
                attempt=attempt + 1,
                task_path=task.module_path,
                run_after=run_after,
            )
            logger.warning(
                "Task %s failed (attempt %d of %d); retrying at %s",
                task.module_path,
                attempt,
                policy.max_attempts,
                run_after.isoformat(),
            )
            return
        dead_letter(task_result, attempts=attempt)


def _last_error(task_result):
    if task_result.errors:
        error = task_result.errors[-1]
        return error.exception_class_path, error.traceback
    return "", ""


def dead_letter(task_result, *, attempts):
    exception_class_path, traceback = _last_error(task_result)
    letter, _ = DeadLetter.objects.update_or_create(
        result_id=str(task_result.id),
        defaults={
            "task_path": task_result.task.module_path,
            "args_kwargs": {"args": list(task_result.args), "kwargs": dict(task_result.kwargs)},
            "queue_name": task_result.task.queue_name,
            "backend_name": task_result.backend,
            "attempts": attempts,
            "exception_class_path": exception_class_path[:255],
            "traceback": traceback,
            "failed_at": task_result.finished_at or timezone.now(),
        },
    )
    logger.error(
        "Task %s dead-lettered after %d attempt(s): %s", letter.task_path, attempts, exception_class_path
    )
    transaction.on_commit(lambda: task_dead_lettered.send(letter.task_path, dead_letter=letter))
    return letter


def retry_dead_letter(letter, *, user=None):
    """
    Enqueue a dead-lettered task again as a fresh chain (attempt 1, the task's full retries), once: a
    letter already retried is left alone (returns None). Returns the new task result.
    """
    from django.utils.module_loading import import_string

    with transaction.atomic():
        letter = DeadLetter.objects.select_for_update().get(pk=letter.pk)
        if letter.retried_at is not None:
            return None
        task = import_string(letter.task_path).using(
            queue_name=letter.queue_name, backend=letter.backend_name
        )
        result = task.enqueue(*letter.args_kwargs.get("args", []), **letter.args_kwargs.get("kwargs", {}))
        letter.retried_at = timezone.now()
        letter.retried_by = user.get_username() if user is not None else ""
        letter.retry_result_id = str(result.id)
        letter.save(update_fields=["retried_at", "retried_by", "retry_result_id"])
    return result
