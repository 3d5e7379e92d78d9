"""Webhooks end to end: article events → deliveries → signed POSTs by the real worker to a real receiver."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.utils import timezone

from articles.models import Article, Status
from desk import workflow
from tests.desk.admin_helpers import action_url
from tests.shared_fixtures import make_ready_article
from tests.webhooks.documented import documented_verify
from webhooks.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db
ALL_EVENTS = ["published", "updated", "unpublished", "corrected", "deleted"]


def make_endpoint(receiver, events=ALL_EVENTS, **fields):
    return Endpoint.objects.create(name="Partner", url=receiver.url, events=list(events), **fields)


def approved_article(reporter, publisher, **fields):
    return make_ready_article(
        reporter,
        status=Status.IN_REVIEW,
        approved=True,
        approver=publisher,
        headline="Council votes",
        **fields,
    )


def publish(article, publisher, capture):
    with capture(execute=True):
        return workflow.perform("publish", article, publisher, override_warnings=True)


def verify(secret, received):
    """The receiver's check from docs/webhooks.md (independent of webhooks.tasks)."""
    headers = received.headers
    return documented_verify()(
        secret, received.body, headers["X-Newsroom-Timestamp"], headers["X-Newsroom-Signature"]
    )


def test_publishing_posts_one_signed_delivery_matching_the_article(
    client, receiver, reporter, publisher, django_capture_on_commit_callbacks, deliver_all
):
    endpoint = make_endpoint(receiver)
    article = publish(approved_article(reporter, publisher), publisher, django_capture_on_commit_callbacks)
    assert receiver.received == []  # nothing is sent before the worker runs

    deliver_all()

    [request] = receiver.received
    assert verify(endpoint.secret, request)
    assert not verify("another secret", request)
    headers = request.headers
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Newsroom-Event"] == "published"
    delivery = Delivery.objects.get()
    assert headers["X-Newsroom-Delivery"] == str(delivery.pk)
    assert headers["X-Newsroom-Timestamp"].isdigit()
    assert headers["User-Agent"].startswith("Newsroom-Webhooks/")
    document = json.loads(request.body)
    assert document["event"] == "published"
    sent = document["article"]
    article = Article.objects.get(pk=article.pk)
    assert sent["id"] == article.pk
    assert sent["headline"] == "Council votes"
    assert sent["status"] == "published"
    assert sent["version"] == article.version
    assert sent["url"] == settings.SITE_URL + article.get_absolute_url()
    # The payload is the API's article JSON, not a look-alike: equal to what the read API answers.
    assert sent == client.get(f"/api/v1/articles/{article.pk}/").json()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert (delivery.attempts, delivery.response_code, delivery.response_body) == (1, 200, "answer 200")
    assert delivery.duration_ms is not None and delivery.delivered_at is not None


def test_an_endpoint_gets_only_the_events_it_subscribed_to(
    receiver, reporter, publisher, django_capture_on_commit_callbacks, deliver_all
):
    make_endpoint(receiver, events=["unpublished"])
    article = publish(approved_article(reporter, publisher), publisher, django_capture_on_commit_callbacks)
    deliver_all()
    assert receiver.received == []
    assert not Delivery.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform("unpublish", article, publisher, comment="Legal asked")
    deliver_all()
    assert [r.headers["X-Newsroom-Event"] for r in receiver.received] == ["unpublished"]
    assert json.loads(receiver.received[0].body)["article"]["status"] == "unpublished"


def test_drafts_and_submissions_send_nothing(
    receiver, reporter, editor, django_capture_on_commit_callbacks, deliver_all
):
    make_endpoint(receiver)
    article = make_ready_article(reporter)
    with django_capture_on_commit_callbacks(execute=True):
        article.headline = "Draft edit"
        article.save()
        workflow.record_revision(article, reporter)
        article = workflow.perform("submit", article, reporter, comment="Ready")
        workflow.perform("approve", article, editor)
    deliver_all()
    assert receiver.received == []
    assert not Delivery.objects.exists()


def test_corrections_updates_and_deletion_are_events(
    receiver, reporter, publisher, django_capture_on_commit_callbacks, deliver_all
):
    make_endpoint(receiver)
    article = publish(approved_article(reporter, publisher), publisher, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_correction(article, publisher, kind="correction", text="The vote was 7-2.")
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.get(pk=article.pk).delete()
    deliver_all()

    events = [r.headers["X-Newsroom-Event"] for r in receiver.received]
    assert sorted(events) == ["corrected", "deleted", "published"]
    deleted = next(
        json.loads(r.body) for r in receiver.received if r.headers["X-Newsroom-Event"] == "deleted"
    )
    assert deleted["article"]["id"] == article.pk
    assert deleted["article"]["authors"]  # taken before the bylines went with the article


def test_deleting_a_draft_sends_nothing(receiver, reporter, django_capture_on_commit_callbacks, deliver_all):
    make_endpoint(receiver)
    with django_capture_on_commit_callbacks(execute=True):
        make_ready_article(reporter).delete()
    deliver_all()
    assert receiver.received == []


def test_a_500_then_200_is_retried_and_succeeds(
    receiver, reporter, publisher, django_capture_on_commit_callbacks, deliver_all, fast_retries
):
    receiver.answers = [(500, 0)]
    endpoint = make_endpoint(receiver)
    publish(approved_article(reporter, publisher), publisher, django_capture_on_commit_callbacks)
    deliver_all()

    assert len(receiver.received) == 2
    assert receiver.received[0].body == receiver.received[1].body
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempts == 2
    assert [a["response_code"] for a in delivery.attempt_log] == [500, 200]
    assert delivery.attempt_log[0]["error"] == "HTTP 500"
    assert delivery.response_code == 200 and delivery.error == ""
    assert Endpoint.objects.get(pk=endpoint.pk).consecutive_failures == 0


def test_always_500_is_dead_after_the_last_attempt_and_disables_the_endpoint(
    receiver, reporter, publisher, django_capture_on_commit_callbacks, deliver_all, fast_retries, settings
):
    settings.WEBHOOK_DISABLE_AFTER = 2
    attempts = settings.WEBHOOK_MAX_ATTEMPTS
    receiver.answers = [(500, 0)] * (attempts * 3)
    endpoint = make_endpoint(receiver)
    article = publish(approved_article(reporter, publisher), publisher, django_capture_on_commit_callbacks)
    deliver_all()

    first = Delivery.objects.get()
    assert first.status == Delivery.Status.DEAD
    assert first.attempts == attempts == 6
    assert [a["response_code"] for a in first.attempt_log] == [500] * attempts
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.consecutive_failures) == (True, 1)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_correction(article, publisher, kind="correction", text="A fix.")
    deliver_all()
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 2
    assert not endpoint.active
    assert endpoint.disabled_at is not None
    assert "after 2 dead deliveries in a row" in endpoint.disabled_reason
    assert "HTTP 500" in endpoint.disabled_reason
    assert len(receiver.received) == 2 * attempts

    # Disabled: the next event makes no delivery and nothing is sent.
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform("unpublish", article, publisher, comment="Down")
    deliver_all()
    assert Delivery.objects.count() == 2
    assert len(receiver.received) == 2 * attempts


def test_a_connection_error_is_a_failed_attempt(
    allow_private_networks, reporter, publisher, django_capture_on_commit_callbacks, deliver_all, fast_retries
):
    Endpoint.objects.create(name="Gone", url="http://127.0.0.1:9/hook", events=["published"])
    publish(approved_article(reporter, publisher), publisher, django_capture_on_commit_callbacks)
    deliver_all()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.DEAD
    assert delivery.response_code is None
    assert "Connection" in delivery.error or "refused" in delivery.error.lower()


def test_a_redirect_is_not_followed(
    receiver, reporter, publisher, django_capture_on_commit_callbacks, deliver_all, fast_retries
):
    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(307)
            self.send_header("Location", receiver.url)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        Endpoint.objects.create(
            name="Moved", url=f"http://127.0.0.1:{server.server_address[1]}/", events=["published"]
        )
        publish(approved_article(reporter, publisher), publisher, django_capture_on_commit_callbacks)
        deliver_all()
    finally:
        server.shutdown()
        server.server_close()
    delivery = Delivery.objects.get()
    assert receiver.received == []
    assert delivery.status == Delivery.Status.DEAD
    assert delivery.response_code == 307
    assert delivery.error == f"HTTP 307 (redirect to {receiver.url}, not followed)"


def test_a_slow_endpoint_never_delays_the_publish_request(
    receiver, client, reporter, publisher, django_capture_on_commit_callbacks, deliver_all
):
    receiver.answers = [(200, 5)]
    make_endpoint(receiver)
    article = approved_article(reporter, publisher)
    client.force_login(publisher)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(article, "publish"), {"override_warnings": "1"})

    assert response.status_code == 302, response.text[:300]
    assert Article.objects.get(pk=article.pk).status == Status.PUBLISHED
    # The request only wrote the delivery and queued it: the receiver has heard nothing yet.
    assert receiver.received == []
    assert Delivery.objects.get().status == Delivery.Status.PENDING
    deliver_all()
    assert len(receiver.received) == 1


def test_a_disabled_endpoint_gets_nothing(
    receiver, reporter, publisher, django_capture_on_commit_callbacks, deliver_all
):
    make_endpoint(receiver, active=False)
    publish(approved_article(reporter, publisher), publisher, django_capture_on_commit_callbacks)
    deliver_all()
    assert receiver.received == []
    assert not Delivery.objects.exists()


def test_a_delivery_queued_before_its_endpoint_was_disabled_is_not_sent(
    receiver, reporter, publisher, django_capture_on_commit_callbacks, deliver_all
):
    endpoint = make_endpoint(receiver)
    publish(approved_article(reporter, publisher), publisher, django_capture_on_commit_callbacks)
    Endpoint.objects.filter(pk=endpoint.pk).update(active=False)
    deliver_all()
    assert receiver.received == []
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.DEAD
    assert delivery.error == "Not sent: the endpoint is disabled."


def test_the_payload_event_names_are_the_subscribable_events():
    assert [e.value for e in Event if e != Event.PING] == ALL_EVENTS


def test_a_staged_edit_sends_nothing_until_its_publish_update_sends_updated(
    receiver, reporter, publisher, django_capture_on_commit_callbacks, deliver_all
):
    make_endpoint(receiver)
    article = make_ready_article(reporter, status=Status.PUBLISHED, headline="Live headline")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.stage_edit(
            article, publisher, {**workflow.snapshot_of(article), "headline": "Staged headline"}
        )
    deliver_all()
    assert receiver.received == []

    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform("publish_update", article, publisher)
    deliver_all()
    [request] = receiver.received
    assert request.headers["X-Newsroom-Event"] == "updated"
    assert json.loads(request.body)["article"]["headline"] == "Staged headline"


def test_a_scheduled_article_reaching_its_time_and_expiring_sends_published_then_unpublished(
    receiver, reporter, publisher, django_capture_on_commit_callbacks, deliver_all
):
    make_endpoint(receiver)
    article = approved_article(reporter, publisher)
    publish_at = timezone.now() + datetime.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform("schedule", article, publisher, publish_at=publish_at, override_warnings=True)
    deliver_all()
    assert receiver.received == []  # scheduling is not publishing

    Article.objects.filter(pk=article.pk).update(unpublish_at=publish_at + datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.run_scheduled(now=publish_at + datetime.timedelta(minutes=1))
        workflow.run_scheduled(now=publish_at + datetime.timedelta(hours=2))
    deliver_all()
    assert [r.headers["X-Newsroom-Event"] for r in receiver.received] == ["published", "unpublished"]
