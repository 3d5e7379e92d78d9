"""
Worker throughput (issue 17): N trivial tasks through the real worker vs the same function called N times.

    .venv/bin/python bench/worker.py [--tasks 1000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_worker .venv/bin/python bench/worker.py

1. Baseline: bench.worker_tasks.noop(i) called N times in process (the function alone).
2. Enqueue: N noop.enqueue(i) (one INSERT each, autocommit), as a request would.
3. Worker: one `manage.py db_worker --batch` process drains the queue (claim with SELECT ... FOR UPDATE SKIP
   LOCKED on PostgreSQL, run, record the result and the task_finished receivers of worker/), timed from
   its start (Django setup included) to its exit.

Without DATABASE_URL it uses a temporary SQLite file (migrated first); with one, that database must exist
(it is migrated, and its task rows are deleted before the run).
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measuring import migrated_django  # noqa: E402 (after the path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--tasks", type=int, default=1000)
    args = parser.parse_args()
    env = migrated_django("worker")
    from django_tasks_db.models import DBTaskResult

    from bench.worker_tasks import noop

    DBTaskResult.objects.all().delete()
    n = args.tasks

    start = time.perf_counter()
    for i in range(n):
        noop.call(i)
    baseline = time.perf_counter() - start

    start = time.perf_counter()
    for i in range(n):
        noop.enqueue(i)
    enqueue = time.perf_counter() - start

    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    worker = time.perf_counter() - start
    done = DBTaskResult.objects.filter(task_path="bench.worker_tasks.noop", status="SUCCESSFUL").count()
    assert done == n, f"{done} of {n} tasks succeeded"

    from django.db import connection

    vendor = connection.vendor
    print(f"{n} trivial tasks on {vendor}")
    print(f"  in-process calls   {baseline * 1000:9.1f} ms  {n / baseline:12,.0f} /s  (baseline)")
    print(f"  enqueue            {enqueue * 1000:9.1f} ms  {n / enqueue:12,.0f} /s")
    print(
        f"  worker (1 process) {worker * 1000:9.1f} ms  {n / worker:12,.0f} /s  "
        f"({worker / baseline:,.0f}x the baseline's time; {worker / n * 1000:.2f} ms per task)"
    )


if __name__ == "__main__":
    main()
