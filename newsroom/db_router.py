"""
Read replicas (DATABASE_REPLICA_URLS) serve the public site's readers; everything else uses the primary.

A replica lags behind the primary. Readers can live with a page a moment old, but an editor must see what
they have just saved, and an import must find the tags and articles it has just written. So reads go to a
random replica only inside ReplicaReadsMiddleware's scope: GET and HEAD requests without a session cookie
(anonymous readers). The admin, any request of a logged-in user, POSTs, management commands, imports and
background jobs read from the primary, and every write and migration goes there.

Login throttling (django-axes) reads its failure counts from the primary always: a lagging replica would
let an attacker try more passwords than the limit, or keep an unlocked editor locked out.
"""

import random
from contextvars import ContextVar

from django.conf import settings

from newsroom.readers import may_be_logged_in

PRIMARY_ONLY_APPS = {"axes"}

_replica_reads = ContextVar("replica_reads", default=False)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if _replica_reads.get() and model._meta.app_label not in PRIMARY_ONLY_APPS:
            replicas = [alias for alias in settings.DATABASES if alias.startswith("replica")]
            if replicas:
                return random.choice(replicas)
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Replicas mirror the primary, so objects from any of them may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaReadsMiddleware:
    """Let an anonymous reader's GET or HEAD request read from the replicas (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or may_be_logged_in(request):
            return self.get_response(request)
        token = _replica_reads.set(True)
        try:
            return self.get_response(request)
        finally:
            _replica_reads.reset(token)
