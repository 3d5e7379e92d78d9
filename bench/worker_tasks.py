"""The trivial task bench/worker.py runs (a module of its own: the worker imports tasks by path)."""

from django.tasks import task


@task()
def noop(i):
    return i
