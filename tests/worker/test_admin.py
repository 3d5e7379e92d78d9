"""The admin's failed tasks: list, traceback, retry action and per-row button, permission-checked."""

import pytest
from django.contrib.auth.models import Permission
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.shared_fixtures import make_user
from tests.worker import tasks
from worker.models import DeadLetter

LIST_URL = "/admin/worker/deadletter/"


@pytest.fixture
def dead_letter(worker, tmp_path):
    """A task that failed because its input file was missing (dead-lettered at once: no retry policy)."""
    path = tmp_path / "input.txt"
    tasks.fails_once_without_policy.enqueue(str(path))
    worker()
    letter = DeadLetter.objects.get()
    letter.input_path = path
    return letter


def test_the_list_shows_task_arguments_error_and_attempts_in_a_fixed_number_of_queries(
    admin_client, worker, tmp_path, django_assert_max_num_queries
):
    for n in range(6):
        tasks.fails_once_without_policy.enqueue(str(tmp_path / f"missing-{n}.txt"))
    worker()

    with django_assert_max_num_queries(8):
        response = admin_client.get(LIST_URL)

    assert response.status_code == 200
    html = response.text
    assert html.count("fails_once_without_policy") >= 6
    assert "missing-5.txt" in html
    assert "FileNotFoundError" in html
    assert html.count('formaction="/admin/worker/deadletter/') == 6


def test_the_detail_shows_the_traceback(admin_client, dead_letter):
    response = admin_client.get(f"{LIST_URL}{dead_letter.pk}/change/")
    assert response.status_code == 200
    assert "Traceback (most recent call last)" in response.text
    assert "read_text" in response.text


def test_the_retry_action_enqueues_the_task_again_and_the_worker_runs_it(admin_client, dead_letter, worker):
    dead_letter.input_path.write_text("fixed")

    response = admin_client.post(
        LIST_URL, {"action": "retry_selected", "_selected_action": [dead_letter.pk]}, follow=True
    )

    assert "Enqueued 1 task(s) again: fails_once_without_policy." in response.text
    dead_letter.refresh_from_db()
    assert dead_letter.retried_at is not None and dead_letter.retried_by == "admin"
    worker()
    retried = DBTaskResult.objects.get(id=dead_letter.retry_result_id)
    assert retried.status == TaskResultStatus.SUCCESSFUL and retried.return_value == "fixed"


def test_the_row_button_retries_one_task_once(admin_client, dead_letter, worker):
    dead_letter.input_path.write_text("fixed")
    url = f"{LIST_URL}{dead_letter.pk}/retry/"

    assert admin_client.get(url).status_code == 405
    response = admin_client.post(url, follow=True)
    again = admin_client.post(url, follow=True)

    assert "Enqueued 1 task(s) again" in response.text
    assert "1 task(s) had already been retried: skipped." in again.text
    assert (
        DBTaskResult.objects.filter(task_path=dead_letter.task_path, status=TaskResultStatus.READY).count()
        == 1
    )
    assert worker() == 1


def test_viewing_without_the_retry_permission_offers_no_retry_and_refuses_one(client, dead_letter):
    viewer = make_user("night-desk")
    viewer.user_permissions.add(Permission.objects.get(codename="view_deadletter"))
    client.force_login(viewer)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert "formaction=" not in response.text and "retry_selected" not in response.text
    assert client.post(f"{LIST_URL}{dead_letter.pk}/retry/").status_code == 403
    client.post(LIST_URL, {"action": "retry_selected", "_selected_action": [dead_letter.pk]})
    dead_letter.refresh_from_db()
    assert dead_letter.retried_at is None


def test_the_retry_permission_lets_a_non_superuser_retry(client, dead_letter):
    operator = make_user("operator")
    operator.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_deadletter", "retry_task"], content_type__app_label="worker"
        )
    )
    client.force_login(operator)

    response = client.post(f"{LIST_URL}{dead_letter.pk}/retry/", follow=True)

    assert "Enqueued 1 task(s) again" in response.text
    dead_letter.refresh_from_db()
    assert dead_letter.retried_by == "operator"
