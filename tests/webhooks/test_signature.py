"""
The signature covers a timestamp: the receiver code of docs/webhooks.md accepts what the worker sends to a
real local HTTP receiver, and refuses a stale (replayed), re-dated, tampered or wrongly keyed request.
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

import pytest

from tests.webhooks.documented import documented_verify
from webhooks.models import Delivery, Endpoint, Event
from webhooks.tasks import enqueue_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(receiver, django_capture_on_commit_callbacks, deliver_all):
    """A ping the real worker POSTed to the real receiver: (endpoint, the request received)."""
    endpoint = Endpoint.objects.create(name="Partner", url=receiver.url, events=["published"])
    payload = {"event": "ping", "occurred_at": "2026-12-07T10:00:00+00:00", "endpoint": {"id": endpoint.pk}}
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_delivery(Delivery.objects.create(endpoint=endpoint, event=Event.PING, payload=payload))
    deliver_all()
    [request] = receiver.received
    return endpoint, request


def arguments(request):
    headers = request.headers
    return request.body, headers["X-Newsroom-Timestamp"], headers["X-Newsroom-Signature"]


def test_the_signature_covers_the_timestamp_and_the_body(sent):
    endpoint, request = sent
    body, timestamp, signature = arguments(request)
    assert abs(int(timestamp) - time.time()) < 60
    expected = hmac.new(endpoint.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert signature == "sha256=" + expected
    # The body alone (the scheme without a timestamp) is not what is signed.
    assert signature != "sha256=" + hmac.new(endpoint.secret.encode(), body, hashlib.sha256).hexdigest()


def test_the_documented_receiver_accepts_a_fresh_request(sent):
    endpoint, request = sent
    verify = documented_verify()
    assert verify(endpoint.secret, *arguments(request))
    assert not verify("another secret", *arguments(request))


def test_the_documented_receiver_refuses_a_replay_after_five_minutes(sent):
    endpoint, request = sent
    verify = documented_verify()
    body, timestamp, signature = arguments(request)
    assert verify(endpoint.secret, body, timestamp, signature, now=int(timestamp) + 299)
    assert not verify(endpoint.secret, body, timestamp, signature, now=int(timestamp) + 301)
    assert not verify(endpoint.secret, body, timestamp, signature, now=int(timestamp) - 301)


def test_re_dating_or_tampering_breaks_the_signature(sent):
    endpoint, request = sent
    verify = documented_verify()
    body, timestamp, signature = arguments(request)
    assert not verify(endpoint.secret, body, str(int(timestamp) + 1), signature)  # a replay, re-dated
    tampered = json.dumps({**json.loads(body), "event": "deleted"}).encode()
    assert not verify(endpoint.secret, tampered, timestamp, signature)
    assert not verify(endpoint.secret, body, "", signature)
    assert not verify(endpoint.secret, body, "-1", signature)


def test_a_receiver_running_the_documented_check_refuses_a_replay(sent, receiver):
    """The receiver verifies with docs/webhooks.md's code; the captured request, replayed later, gets 401."""
    endpoint, request = sent
    verify = documented_verify()
    clock = {"offset": 0}
    receiver.check = lambda received: verify(
        endpoint.secret, *arguments(received), now=time.time() + clock["offset"]
    )

    def replay():
        copy = urllib.request.Request(receiver.url, data=request.body, method="POST", headers=request.headers)
        try:
            with urllib.request.urlopen(copy, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as refused:
            return refused.code

    assert replay() == 200  # within the five minutes it verifies (the receiver dedupes on the delivery id)
    clock["offset"] = 301  # the same request five minutes and a second later
    assert replay() == 401


def test_each_retry_is_signed_afresh(receiver, fast_retries, django_capture_on_commit_callbacks, deliver_all):
    endpoint = Endpoint.objects.create(name="Partner", url=receiver.url, events=["published"])
    receiver.answers = [(500, 1.1)]  # the first attempt fails after a second: the retry is signed later
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_delivery(
            Delivery.objects.create(endpoint=endpoint, event=Event.PING, payload={"event": "ping"})
        )
    deliver_all()
    first, second = receiver.received
    verify = documented_verify()
    assert verify(endpoint.secret, *arguments(first)) and verify(endpoint.secret, *arguments(second))
    assert int(second.headers["X-Newsroom-Timestamp"]) > int(first.headers["X-Newsroom-Timestamp"])
