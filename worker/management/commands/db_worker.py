"""
`manage.py db_worker`: django-tasks-db's worker (same options), plus what this project's worker needs:

- a heartbeat (worker/recovery.py): a thread keeps this worker's Heartbeat row fresh while it runs tasks,
  and tasks claimed by workers that died are queued again, on start and at every beat;
- periodic tasks (worker/periodic.py) are scheduled on start if they have no pending run;
- retries and dead letters happen in task_finished receivers (worker/retry.py), in this process.

It overrides the library's command of the same name (the `worker` app comes before `django_tasks_db` in
INSTALLED_APPS), so `db_worker` is the one command whatever the documentation you read.
"""

import logging
import os
import threading

from django.conf import settings
from django.core.management.base import CommandError
from django.db import close_old_connections, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from worker import periodic, recovery

logger = logging.getLogger("worker")


def _keep_connection():
    pass


class Worker(db_worker.Worker):
    def run(self):
        self._prepare()
        stop = threading.Event()
        thread = None
        if not self.batch:
            thread = threading.Thread(target=self._beat_until, args=(stop,), name="heartbeat", daemon=True)
            thread.start()
        in_transaction = connection.in_atomic_block
        if in_transaction:
            # Run inside a caller's transaction (call_command in a test case): the library's
            # close_old_connections() would close this connection, breaking the caller's transaction, so
            # it is skipped for this run; a standalone worker is never in one and keeps it.
            db_worker.close_old_connections = _keep_connection
        try:
            super().run()
        finally:
            if in_transaction:
                db_worker.close_old_connections = close_old_connections
            stop.set()
            if thread is not None:
                thread.join(timeout=5)
            try:
                recovery.forget(self.worker_id)
            except Exception:  # the database may be what stopped us
                logger.exception("Could not remove the heartbeat of worker %s", self.worker_id)

    def _prepare(self):
        recovery.beat(self.worker_id)
        recovered = recovery.recover_stale()
        scheduled = periodic.ensure_scheduled()
        logger.info(
            "Worker %s: %d task(s) of gone workers queued again, periodic tasks scheduled: %s",
            self.worker_id,
            len(recovered),
            ", ".join(scheduled) or "none needed",
        )

    def run_task(self, db_task_result):
        if self.batch:  # no heartbeat thread: beat before each task instead
            recovery.beat(self.worker_id)
        super().run_task(db_task_result)

    def _beat_until(self, stop):
        try:
            while not stop.wait(settings.WORKER_HEARTBEAT_SECONDS):
                try:
                    recovery.beat(self.worker_id)
                    recovery.recover_stale()
                except Exception:  # a locked SQLite file, a database restart: try again next beat
                    logger.warning("Heartbeat of worker %s failed", self.worker_id, exc_info=True)
        finally:
            connection.close()  # this thread's own connection


class Command(db_worker.Command):
    help = (
        "Run the background worker (django-tasks-db's db_worker with heartbeats, recovery of tasks of dead "
        "workers and periodic tasks; see docs/worker.md)."
    )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
