"""
What the worker keeps beside django-tasks-db's own result rows (django_tasks_db.DBTaskResult):

- TaskAttempt: which attempt of a retried task a result row is (keyed by the result's id), so the retry
  machinery (worker/retry.py) knows how many tries are left and the admin can show the chain.
- DeadLetter: a task that failed its last attempt, with its arguments and last error, until someone
  retries or deletes it (the admin's "Failed tasks").
- Heartbeat: each running worker process's last sign of life, so a task claimed by a worker that died
  (kill -9, a lost machine) is handed to another worker (worker/recovery.py).
- PeriodicSchedule: the one pending run of each periodic task (worker/periodic.py).
"""

from django.db import models
from django.utils import timezone


class TaskAttempt(models.Model):
    result_id = models.CharField(max_length=64, unique=True, help_text="The task result this attempt is.")
    first_result_id = models.CharField(max_length=64, db_index=True, help_text="The chain's first attempt.")
    attempt = models.PositiveSmallIntegerField(help_text="1 for the first run, 2 for the first retry, ...")
    task_path = models.CharField(max_length=255)
    run_after = models.DateTimeField(null=True, blank=True, help_text="When this retry was due.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["first_result_id", "attempt"]

    def __str__(self):
        return f"{self.task_path} attempt {self.attempt}"


class DeadLetter(models.Model):
    task_path = models.CharField(max_length=255)
    args_kwargs = models.JSONField(help_text="The task's arguments: {'args': [...], 'kwargs': {...}}.")
    queue_name = models.CharField(max_length=32, default="default")
    backend_name = models.CharField(max_length=32, default="default")
    attempts = models.PositiveSmallIntegerField()
    result_id = models.CharField(max_length=64, unique=True, help_text="The last attempt's task result.")
    exception_class_path = models.CharField(max_length=255)
    traceback = models.TextField()
    failed_at = models.DateTimeField(default=timezone.now, db_index=True)
    retried_at = models.DateTimeField(null=True, blank=True)
    retried_by = models.CharField(max_length=150, blank=True)
    retry_result_id = models.CharField(max_length=64, blank=True, help_text="The task result of the retry.")

    class Meta:
        ordering = ["-failed_at", "-pk"]
        verbose_name = "failed task"
        permissions = [("retry_task", "Can retry a failed task")]

    def __str__(self):
        return f"{self.task_name} failed after {self.attempts} attempt(s)"

    @property
    def task_name(self):
        return self.task_path.rsplit(".", 1)[-1]


class Heartbeat(models.Model):
    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return f"{self.worker_id} seen {self.seen_at:%Y-%m-%d %H:%M:%S}"


class PeriodicSchedule(models.Model):
    task_path = models.CharField(max_length=255, unique=True)
    result_id = models.CharField(max_length=64, blank=True, help_text="The pending run's task result.")
    next_run_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"{self.task_path} next at {self.next_run_at}"


class CompletedKey(models.Model):
    """A side effect that must happen once (an e-mail sent for a transition): see worker.retry.once()."""

    key = models.CharField(max_length=255, unique=True)
    completed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.key
