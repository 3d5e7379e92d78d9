"""Retries with exponential backoff and dead letters (worker/retry.py), through the real db_worker."""

import time

import pytest
from django.core.cache import cache
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.worker import tasks
from worker.models import DeadLetter, TaskAttempt
from worker.retry import RetryPolicy, attempt_of


def run_until_finished(worker, key_filter, *, timeout=10):
    """Run the worker again as retries fall due, until no retry of the chain is waiting."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        worker()
        if not DBTaskResult.objects.filter(key_filter, status=TaskResultStatus.READY).exists():
            return
        time.sleep(0.05)
    raise AssertionError("retries still waiting after the timeout")


def test_a_task_failing_twice_is_retried_with_growing_delays_and_succeeds(worker):
    cache.clear()
    first = tasks.fails_twice.enqueue("flaky")

    run_until_finished(worker, _chain_filter())

    attempts = list(TaskAttempt.objects.filter(first_result_id=str(first.id)).order_by("attempt"))
    assert [a.attempt for a in attempts] == [1, 2, 3]
    results = {str(r.id): r for r in DBTaskResult.objects.filter(id__in=[a.result_id for a in attempts])}
    statuses = [results[a.result_id].status for a in attempts]
    assert statuses == [TaskResultStatus.FAILED, TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL]
    # Each retry was due later after its failure than the one before: 0.05 s, then 0.1 s (+ jitter).
    delays = [
        (attempts[n].run_after - results[attempts[n - 1].result_id].finished_at).total_seconds()
        for n in (1, 2)
    ]
    assert 0.04 <= delays[0] < delays[1]
    assert delays[1] >= 0.09
    assert results[attempts[2].result_id].return_value == 3
    assert attempt_of(attempts[2].result_id) == 3
    assert cache.get("done:flaky") is True
    assert not DeadLetter.objects.exists()


def _chain_filter():
    from django.db.models import Q

    return Q(task_path__startswith="tests.worker.tasks.")


def test_a_task_always_failing_is_dead_lettered_after_its_last_attempt(worker):
    tasks.always_fails.enqueue("the printer")

    run_until_finished(worker, _chain_filter())

    failed = DBTaskResult.objects.filter(task_path="tests.worker.tasks.always_fails")
    assert failed.count() == 3
    assert set(failed.values_list("status", flat=True)) == {TaskResultStatus.FAILED}
    letter = DeadLetter.objects.get()
    assert letter.task_name == "always_fails"
    assert letter.attempts == 3
    assert letter.args_kwargs == {"args": ["the printer"], "kwargs": {}}
    assert letter.exception_class_path == "builtins.ValueError"
    assert "the printer is never going to work" in letter.traceback
    assert letter.retried_at is None


def test_a_task_without_a_policy_is_dead_lettered_on_its_first_failure(worker, tmp_path):
    tasks.fails_once_without_policy.enqueue(str(tmp_path / "missing.txt"))
    worker()
    letter = DeadLetter.objects.get()
    assert letter.attempts == 1
    assert letter.exception_class_path == "builtins.FileNotFoundError"


def test_successful_tasks_leave_no_attempts_or_dead_letters(worker):
    result = tasks.add.enqueue(2, 3)
    worker()
    assert DBTaskResult.objects.get(id=result.id).return_value == 5
    assert not TaskAttempt.objects.exists() and not DeadLetter.objects.exists()


def test_backoff_doubles_with_bounded_jitter_and_is_capped():
    policy = RetryPolicy(max_attempts=10, base_delay=10, max_delay=100, jitter=0.25)
    assert [policy.delay(n, rand=lambda: 0) for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 80, 100]
    assert [policy.delay(n, rand=lambda: 1) for n in (1, 2, 3)] == [12.5, 25, 50]


@pytest.mark.parametrize(
    "options, message",
    [
        ({"max_attempts": 0}, "max_attempts must be at least 1"),
        ({"base_delay": 10, "max_delay": 5}, "max_delay >= base_delay"),
        ({"jitter": 2}, "jitter is a fraction"),
    ],
)
def test_a_bad_policy_is_refused_with_the_reason(options, message):
    with pytest.raises(ValueError, match=message):
        RetryPolicy(**options)
