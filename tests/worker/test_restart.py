"""
Worker restart loses no task: a real db_worker process is killed (SIGKILL) in the middle of a task; a new
worker sees that the old one's heartbeat stopped, queues the task again and runs it to the end.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def worker_env(database_url):
    env = {**os.environ, "DATABASE_URL": database_url, "WORKER_HEARTBEAT_SECONDS": "0.3"}
    env["WORKER_STALE_SECONDS"] = "1.5"
    return env


def start_worker(env):
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def database_url():
    if connection.vendor == "postgresql":
        db = settings.DATABASES["default"]
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return None


@pytest.mark.django_db(transaction=True)
def test_a_task_killed_mid_run_runs_again_on_a_new_worker_and_completes(tmp_path):
    url = database_url()
    if url is None:  # SQLite: the test database is in memory; the processes share a file database
        url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=worker_env(url),
            check=True,
        )
    env = worker_env(url)
    marker = tmp_path / "task.log"
    enqueue = (
        "from tests.worker.tasks import sleep_then_write; "
        f"print(sleep_then_write.enqueue({str(marker)!r}, 3).id)"
    )
    result_id = (
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", enqueue],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )

    first = start_worker(env)
    try:
        wait_for(lambda: marker.exists() and marker.read_text() == "started\n")
        first.send_signal(signal.SIGKILL)
        first.wait()
    finally:
        first.kill()
    assert marker.read_text() == "started\n"  # killed mid-task

    second = start_worker(env)
    try:
        wait_for(lambda: marker.exists() and marker.read_text().endswith("done\n"))
    finally:
        second.terminate()
        second.wait(timeout=10)
    assert marker.read_text() == "started\nstarted\ndone\n"
    check = (
        "from django_tasks_db.models import DBTaskResult; "
        f"r = DBTaskResult.objects.get(id={result_id!r}); print(r.status, len(r.worker_ids))"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", check],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert out[-2:] == ["SUCCESSFUL", "2"]
