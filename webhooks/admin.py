"""
Webhooks in the admin: endpoints (status, last delivery, dead deliveries in a row, the secret, a test
ping, re-enable) and the read-only delivery log (filters by endpoint, status and event; the payload and
the response excerpt on the detail; "Redeliver"). Changing endpoints needs webhooks.change_endpoint;
redelivering too.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.html import format_html

from webhooks.models import SUBSCRIBABLE_EVENTS, Delivery, Endpoint, Event
from webhooks.tasks import enqueue_delivery


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=[(event.value, event.label) for event in SUBSCRIBABLE_EVENTS],
        widget=forms.CheckboxSelectMultiple,
        help_text="The article events POSTed to this URL.",
    )

    class Meta:
        model = Endpoint
        fields = ["name", "url", "events", "active"]


def _pretty(data):
    return format_html("<pre>{}</pre>", json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["name", "url", "state", "event_list", "consecutive_failures", "last_delivery"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    actions = ["send_test_ping", "enable_selected"]
    readonly_fields = ["secret", "consecutive_failures", "disabled_at", "disabled_reason", "created_at"]
    fieldsets = [
        (None, {"fields": ["name", "url", "events", "active"]}),
        (
            "Signature and health",
            {
                "fields": readonly_fields,
                "description": "Receivers verify X-Newsroom-Signature with this secret (docs/webhooks.md).",
            },
        ),
    ]

    def get_queryset(self, request):
        newest = Delivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-pk")
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_delivery_at=Subquery(newest.values("created_at")[:1]),
                last_delivery_status=Subquery(newest.values("status")[:1]),
                last_delivery_code=Subquery(newest.values("response_code")[:1]),
            )
        )

    def save_model(self, request, obj, form, change):
        if change and "active" in form.changed_data and obj.active:
            obj.consecutive_failures, obj.disabled_at, obj.disabled_reason = 0, None, ""
        elif change and "active" in form.changed_data and not obj.active:
            obj.disabled_at = timezone.now()
            obj.disabled_reason = f"Disabled by {request.user.get_username()}."
        super().save_model(request, obj, form, change)

    @admin.display(description="state", ordering="active")
    def state(self, endpoint):
        if endpoint.active:
            return "Active"
        return format_html("Disabled <small>{}</small>", endpoint.disabled_reason)

    @admin.display(description="events")
    def event_list(self, endpoint):
        return ", ".join(endpoint.events)

    @admin.display(description="last delivery", ordering="last_delivery_at")
    def last_delivery(self, endpoint):
        if endpoint.last_delivery_at is None:
            return "–"
        status = Delivery.Status(endpoint.last_delivery_status).label
        code = f", HTTP {endpoint.last_delivery_code}" if endpoint.last_delivery_code else ""
        return f"{timezone.localtime(endpoint.last_delivery_at):%Y-%m-%d %H:%M}: {status}{code}"

    @admin.action(description="Send a test ping to the selected endpoints", permissions=["change"])
    def send_test_ping(self, request, queryset):
        sent = 0
        for endpoint in queryset:
            if not endpoint.active:
                self.message_user(request, f"{endpoint} is disabled: no ping sent.", messages.WARNING)
                continue
            payload = {
                "event": Event.PING.value,
                "occurred_at": timezone.now().isoformat(),
                "endpoint": {"id": endpoint.pk, "name": endpoint.name},
            }
            enqueue_delivery(Delivery.objects.create(endpoint=endpoint, event=Event.PING, payload=payload))
            sent += 1
        if sent:
            self.message_user(request, f"{sent} ping(s) queued; see the delivery log.", messages.SUCCESS)

    @admin.action(description="Re-enable the selected endpoints", permissions=["change"])
    def enable_selected(self, request, queryset):
        endpoints = list(queryset.filter(active=False))
        for endpoint in endpoints:
            endpoint.enable()
        self.message_user(request, f"{len(endpoints)} endpoint(s) re-enabled.", messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "created_at",
        "endpoint",
        "event",
        "article_id",
        "status",
        "attempts",
        "response_code",
        "duration_ms",
        "delivered_at",
    ]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["=article_id"]
    date_hierarchy = "created_at"
    actions = ["redeliver_selected"]
    list_per_page = 100
    fields = [
        "endpoint",
        "event",
        "article_id",
        "status",
        "attempts",
        "response_code",
        "duration_ms",
        "created_at",
        "delivered_at",
        "error",
        "attempts_table",
        "pretty_payload",
        "response_body",
        "redelivery_of",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_redeliver_permission(self, request):
        return request.user.has_perm("webhooks.change_endpoint")

    @admin.display(description="payload")
    def pretty_payload(self, delivery):
        return _pretty(delivery.payload)

    @admin.display(description="attempts")
    def attempts_table(self, delivery):
        return _pretty(delivery.attempt_log)

    @admin.action(description="Redeliver the selected deliveries (same payload)", permissions=["redeliver"])
    def redeliver_selected(self, request, queryset):
        deliveries = list(queryset.select_related("endpoint"))
        to_disabled = [delivery for delivery in deliveries if not delivery.endpoint.active]
        copies = [delivery.redeliver() for delivery in deliveries if delivery.endpoint.active]
        if copies:
            self.message_user(request, f"{len(copies)} redelivery(ies) queued.", messages.SUCCESS)
        if to_disabled:
            self.message_user(
                request,
                f"{len(to_disabled)} not redelivered: their endpoint is disabled (re-enable it first).",
                messages.WARNING,
            )
