"""
Webhook endpoints (partners' URLs that receive article events) and the log of deliveries to them.

An endpoint subscribes to events; each event makes one Delivery per active subscribed endpoint, whose
payload is frozen at that moment (a redelivery sends the same document again). The worker sends it
(webhooks/tasks.py); a delivery that stays failing after its last retry is dead, and an endpoint whose
last WEBHOOK_DISABLE_AFTER deliveries all died is disabled until someone re-enables it in the admin.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from webhooks.destinations import UnsafeDestination, check_url

RESPONSE_EXCERPT_BYTES = 2048


class Event(models.TextChoices):
    PUBLISHED = "published", "Published"
    UPDATED = "updated", "Updated (a published article's new version)"
    UNPUBLISHED = "unpublished", "Unpublished"
    CORRECTED = "corrected", "Corrected"
    DELETED = "deleted", "Deleted"
    PING = "ping", "Test ping"  # sent from the admin; no endpoint subscribes to it


SUBSCRIBABLE_EVENTS = [event for event in Event if event != Event.PING]


def generate_secret():
    return secrets.token_hex(32)


def validate_events(value):
    if not isinstance(value, list) or not value:
        raise ValidationError("Choose at least one event.")
    allowed = [str(event) for event in SUBSCRIBABLE_EVENTS]
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise ValidationError(
            f"Unknown event(s) {', '.join(map(str, unknown))}; use any of {', '.join(allowed)}.",
            code="invalid",
        )


class EndpointQuerySet(models.QuerySet):
    def subscribed_to(self, event):
        """The active endpoints that receive `event` (checked in Python: a JSON list on every backend)."""
        return [endpoint for endpoint in self.filter(active=True) if event in endpoint.events]


class Endpoint(models.Model):
    name = models.CharField(max_length=100, help_text="Who receives it, e.g. “Partner app (production)”.")
    url = models.URLField(
        "URL",
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="An http(s):// address taking POSTed JSON; redirects are not followed.",
    )
    secret = models.CharField(
        max_length=100,
        default=generate_secret,
        help_text="Signs every body (X-Newsroom-Signature); share it with the receiver.",
    )
    events = models.JSONField(default=list, validators=[validate_events])
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(
        default=0, editable=False, help_text="Dead deliveries in a row since the last success."
    )
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def clean_fields(self, exclude=None):
        """The field checks, then the SSRF guard on a URL that passed them (the delivery checks again)."""
        errors = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as invalid:
            errors = invalid.error_dict
        if self.url and "url" not in errors and "url" not in (exclude or ()):
            try:
                check_url(self.url)
            except UnsafeDestination as refused:
                errors["url"] = [ValidationError(str(refused), code="unsafe_destination")]
        if errors:
            raise ValidationError(errors)

    def record_success(self):
        if self.consecutive_failures:
            Endpoint.objects.filter(pk=self.pk).update(consecutive_failures=0)
            self.consecutive_failures = 0

    def record_dead_delivery(self, delivery):
        """One more dead delivery in a row; disable the endpoint when there have been too many."""
        limit = settings.WEBHOOK_DISABLE_AFTER
        with transaction.atomic():
            Endpoint.objects.filter(pk=self.pk).update(consecutive_failures=F("consecutive_failures") + 1)
            endpoint = Endpoint.objects.select_for_update().get(pk=self.pk)
            if endpoint.active and limit and endpoint.consecutive_failures >= limit:
                endpoint.active = False
                endpoint.disabled_at = timezone.now()
                endpoint.disabled_reason = (
                    f"Disabled automatically after {endpoint.consecutive_failures} dead deliveries in a row; "
                    f"the last, #{delivery.pk}, failed with: {delivery.last_result()}"
                )[:2000]
                endpoint.save(update_fields=["active", "disabled_at", "disabled_reason"])
        self.refresh_from_db()

    def enable(self):
        """Re-enable an endpoint (disabled by hand or automatically), with a fresh failure count."""
        self.active = True
        self.consecutive_failures = 0
        self.disabled_at = None
        self.disabled_reason = ""
        self.save(update_fields=["active", "consecutive_failures", "disabled_at", "disabled_reason"])


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed (will retry)"
        DEAD = "dead", "Dead (gave up)"

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=20, choices=Event)
    article_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The article's id (it may since have been deleted); none for a ping."
    )
    payload = models.JSONField(help_text="The JSON document sent, frozen when the event happened.")
    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    attempt_log = models.JSONField(
        default=list, help_text="Each attempt: when, response code, error, duration in ms."
    )
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True, help_text="The first 2 KB of the last response.")
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="redeliveries"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True, help_text="When the last attempt ended.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_newest")]

    def __str__(self):
        return f"#{self.pk} {self.event} of article {self.article_id} to {self.endpoint_id}"

    def last_result(self):
        if self.response_code:
            return f"HTTP {self.response_code}"
        return self.error or "no attempt yet"

    def record_attempt(self, *, response_code, response_body, error, duration_ms, succeeded):
        now = timezone.now()
        self.attempts += 1
        self.attempt_log = [
            *self.attempt_log,
            {
                "attempt": self.attempts,
                "at": now.isoformat(),
                "response_code": response_code,
                "error": error,
                "duration_ms": duration_ms,
            },
        ]
        self.response_code = response_code
        self.response_body = response_body
        self.error = error
        self.duration_ms = duration_ms
        self.delivered_at = now
        self.status = self.Status.SUCCEEDED if succeeded else self.Status.FAILED
        self.save()

    def redeliver(self):
        """A new delivery of the same payload to the same endpoint, enqueued on commit."""
        from webhooks.tasks import enqueue_delivery

        copy = Delivery.objects.create(
            endpoint=self.endpoint,
            event=self.event,
            article_id=self.article_id,
            payload=self.payload,
            redelivery_of=self,
        )
        enqueue_delivery(copy)
        return copy
