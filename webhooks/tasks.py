"""
Webhook delivery, run by the worker: one signed POST per attempt, retried with backoff by worker.retry.

A 2xx answer is a success; any other status (redirects included: they are never followed, so a body
signed for one host never goes to another), a timeout, a connection error or a destination the SSRF guard
refuses (webhooks/destinations.py: a private address, a non-http(s) URL) is a failed attempt, recorded
on the Delivery and raised so that @retrying enqueues the next one. When the worker dead-letters the task
after its last attempt, webhooks.receivers marks the delivery dead and counts it against the endpoint.
"""

import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.tasks import task

from webhooks.destinations import CheckedHTTPHandler, CheckedHTTPSHandler, check_scheme
from webhooks.models import RESPONSE_EXCERPT_BYTES, Delivery
from worker.retry import retrying

USER_AGENT = "Newsroom-Webhooks/1.0"


class DeliveryFailed(Exception):
    """An attempt that did not get a 2xx answer (the worker retries it)."""


def signature(secret, timestamp, body):
    """
    The X-Newsroom-Signature value: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the secret>.
    The timestamp (X-Newsroom-Timestamp, Unix seconds) is signed too, so a receiver that refuses old
    timestamps refuses a captured request replayed later (as Stripe's and Slack's signatures do).
    """
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def encode(payload):
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx status: a failed attempt


# No proxy from the environment (the address check is on the endpoint's own host), no redirects, and
# connections only to addresses webhooks.destinations has checked.
_opener = urllib.request.build_opener(
    urllib.request.ProxyHandler({}), _NoRedirects, CheckedHTTPHandler, CheckedHTTPSHandler
)


def post(delivery):
    """POST the delivery once; returns (status code or None, response excerpt, error text, duration ms)."""
    body = encode(delivery.payload)
    endpoint = delivery.endpoint
    timestamp = str(int(time.time()))  # each attempt signs anew: a retry is not stale
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Newsroom-Event": delivery.event,
            "X-Newsroom-Delivery": str(delivery.pk),
            "X-Newsroom-Timestamp": timestamp,
            "X-Newsroom-Signature": signature(endpoint.secret, timestamp, body),
        },
    )
    started = time.monotonic()
    code, excerpt, error = None, "", ""
    try:
        check_scheme(endpoint.url)
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            code = response.status
            excerpt = response.read(RESPONSE_EXCERPT_BYTES).decode("utf-8", "replace")
    except urllib.error.HTTPError as failure:
        code = failure.code
        excerpt = failure.read(RESPONSE_EXCERPT_BYTES).decode("utf-8", "replace")
        location = failure.headers.get("Location")
        error = f"HTTP {code}" + (f" (redirect to {location}, not followed)" if location else "")
    except (OSError, http.client.HTTPException, ValueError) as failure:
        reason = getattr(failure, "reason", failure)
        error = f"{type(reason).__name__}: {reason}" if str(reason) else type(reason).__name__
    duration_ms = round((time.monotonic() - started) * 1000)
    if code is not None and not 200 <= code < 300 and not error:
        error = f"HTTP {code}"
    return code, excerpt, error, duration_ms


@retrying(
    max_attempts=settings.WEBHOOK_MAX_ATTEMPTS,
    base_delay=settings.WEBHOOK_RETRY_BASE_DELAY,
    max_delay=settings.WEBHOOK_RETRY_MAX_DELAY,
)
@task()
def deliver(delivery_id):
    """
    Send Delivery `delivery_id` once. Idempotent: a delivery that already succeeded is not sent again
    (a retried or recovered task finds it done); a disabled endpoint gets nothing.
    """
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == Delivery.Status.SUCCEEDED:
        return "nothing to do"
    endpoint = delivery.endpoint
    if not endpoint.active:
        delivery.status = Delivery.Status.DEAD
        delivery.error = "Not sent: the endpoint is disabled."
        delivery.save(update_fields=["status", "error"])
        return "endpoint disabled"
    code, excerpt, error, duration_ms = post(delivery)
    succeeded = not error
    delivery.record_attempt(
        response_code=code, response_body=excerpt, error=error, duration_ms=duration_ms, succeeded=succeeded
    )
    if not succeeded:
        raise DeliveryFailed(f"Delivery {delivery.pk} to {endpoint.url}: {error}")
    endpoint.record_success()
    return code


def enqueue_delivery(delivery):
    """Send `delivery` from the worker once the transaction that made it commits."""
    transaction.on_commit(lambda: deliver.enqueue(delivery.pk))


def mark_dead(delivery_id):
    """The worker gave up on the delivery: dead, and one more failure of its endpoint."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update().select_related("endpoint").filter(pk=delivery_id).first()
        )
        if delivery is None or delivery.status != Delivery.Status.FAILED:
            return
        delivery.status = Delivery.Status.DEAD
        delivery.save(update_fields=["status"])
        delivery.endpoint.record_dead_delivery(delivery)
