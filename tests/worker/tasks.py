"""Tasks the worker's tests run through the real worker (django-tasks-db's DatabaseBackend)."""

import time
from pathlib import Path

from django.core.cache import cache
from django.tasks import task

from worker.retry import retrying


@retrying(max_attempts=4, base_delay=0.05, max_delay=10, jitter=0.25)
@task()
def fails_twice(key):
    """Raises on its first two runs for `key`, then records success: a flaky dependency."""
    runs = cache.get_or_set(f"runs:{key}", 0) + 1
    cache.set(f"runs:{key}", runs)
    if runs <= 2:
        raise ConnectionError(f"run {runs} of {key}: the other side is down")
    cache.set(f"done:{key}", True)
    return runs


@retrying(max_attempts=3, base_delay=0.05, max_delay=10, jitter=0)
@task()
def always_fails(label):
    raise ValueError(f"{label} is never going to work")


@task()
def fails_once_without_policy(path):
    """Fails when `path` does not exist (no @retrying: dead-lettered at once); fixed by creating it."""
    return Path(path).read_text()


@task()
def add(a, b):
    return a + b


@task()
def sleep_then_write(path, seconds):
    """Writes 'started', sleeps, writes 'done': the restart test kills the worker in between."""
    target = Path(path)
    target.write_text(target.read_text() + "started\n" if target.exists() else "started\n")
    time.sleep(seconds)
    target.write_text(target.read_text() + "done\n")
    return "done"
