"""
The admin's "Failed tasks": dead-lettered tasks (worker/retry.py) with their arguments, last error and
attempts, a "Retry" action and a Retry button per row. Retrying needs the worker.retry_task permission
(superusers have it); viewing needs worker.view_deadletter.
"""

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from worker.models import DeadLetter
from worker.retry import retry_dead_letter


class RetriedFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("waiting", "Waiting for a retry"), ("retried", "Retried")]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(retried_at__isnull=True)
        if self.value() == "retried":
            return queryset.filter(retried_at__isnull=False)
        return queryset


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    list_display = ["task_name", "arguments", "error", "attempts", "failed_at", "state", "retry_button"]
    list_filter = [RetriedFilter, "task_path"]
    search_fields = ["task_path", "exception_class_path"]
    date_hierarchy = "failed_at"
    actions = ["retry_selected"]
    list_per_page = 50
    fields = [
        "task_path",
        "arguments",
        "attempts",
        "failed_at",
        "exception_class_path",
        "formatted_traceback",
        "result_id",
        "queue_name",
        "retried_at",
        "retried_by",
        "retry_result_id",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return request.user.has_perm("worker.retry_task")

    @admin.display(description="task", ordering="task_path")
    def task_name(self, letter):
        return letter.task_name

    @admin.display(description="arguments")
    def arguments(self, letter):
        text = json.dumps(letter.args_kwargs, ensure_ascii=False, sort_keys=True)
        return text if len(text) <= 120 else text[:119] + "…"

    @admin.display(description="last error", ordering="exception_class_path")
    def error(self, letter):
        last_line = letter.traceback.strip().rsplit("\n", 1)[-1] if letter.traceback else ""
        return last_line[:200] or letter.exception_class_path

    @admin.display(description="traceback")
    def formatted_traceback(self, letter):
        return format_html('<pre class="worker-traceback">{}</pre>', letter.traceback)

    @admin.display(description="state", ordering="retried_at")
    def state(self, letter):
        if letter.retried_at is None:
            return "waiting"
        return f"retried {letter.retried_at:%Y-%m-%d %H:%M}" + (
            f" by {letter.retried_by}" if letter.retried_by else ""
        )

    @admin.display(description="retry")
    def retry_button(self, letter):
        if letter.retried_at is not None:
            return "–"
        # A submit button of the changelist's own form (which carries the CSRF token), posted elsewhere.
        return format_html(
            '<button type="submit" class="button" formaction="{}" aria-label="Retry {} (failed {})">Retry'
            "</button>",
            reverse("admin:worker_deadletter_retry", args=[letter.pk]),
            letter.task_name,
            f"{letter.failed_at:%Y-%m-%d %H:%M}",
        )

    def get_list_display(self, request):
        if self.has_retry_permission(request):
            return self.list_display
        return [name for name in self.list_display if name != "retry_button"]

    def _retry(self, request, letters):
        if not self.has_retry_permission(request):
            raise PermissionDenied
        retried = [letter for letter in letters if retry_dead_letter(letter, user=request.user) is not None]
        skipped = len(letters) - len(retried)
        if retried:
            names = ", ".join(sorted({letter.task_name for letter in retried}))
            self.message_user(request, f"Enqueued {len(retried)} task(s) again: {names}.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"{skipped} task(s) had already been retried: skipped.", messages.WARNING
            )

    @admin.action(description="Retry the selected failed tasks", permissions=["retry"])
    def retry_selected(self, request, queryset):
        self._retry(request, list(queryset))

    def get_urls(self):
        return [
            path(
                "<int:pk>/retry/",
                self.admin_site.admin_view(self.retry_view),
                name="worker_deadletter_retry",
            ),
            *super().get_urls(),
        ]

    def retry_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_retry_permission(request):
            raise PermissionDenied
        self._retry(request, [get_object_or_404(DeadLetter, pk=pk)])
        return HttpResponseRedirect(reverse("admin:worker_deadletter_changelist"))
