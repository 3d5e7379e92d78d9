"""
The page cache's purge by the worker (public/cache.py).

The purge itself stays synchronous in the request: it is one cache write (a new generation token), and
it is what keeps readers from seeing a stale page; queued, it would wait for a worker. What the worker adds
is the purge the request cannot do: with read replicas (DATABASE_REPLICA_URLS), an anonymous reader's
request just after a publish may read a replica that has not caught up yet and cache the old page under
the new generation, for up to PAGE_TTL. So each publish and unpublish also enqueues purge_pages to run
PAGE_PURGE_REPLICA_DELAY seconds later, when the replicas have the change. Idempotent: a purge twice is a
purge.
"""

from django.tasks import task

from public import cache
from worker.retry import retrying


@retrying(max_attempts=5, base_delay=5, max_delay=300)
@task()
def purge_pages():
    cache.purge()
