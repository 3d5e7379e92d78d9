"""
The story budget in the admin: the plans' list and form, "create draft from plan", the budget (today's
and tomorrow's plans by desk and slot) and the calendar week. Editors plan and assign; a reporter sees every
plan and moves only the status of their own (permission planning.update_story_status).
"""

import datetime
import itertools

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from planning import drafting
from planning.models import Desk, Story, day_bounds


def _staff():
    return get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")


class StoryForm(forms.ModelForm):
    class Meta:
        model = Story
        fields = [
            "slug", "working_headline", "section", "desk", "status", "reporters", "editor", "due_at",
            "target_words", "publish_slot", "article", "notes",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields:  # offer only the moves the plan allows (the model checks them too)
            allowed = self.instance.allowed_statuses()
            self.fields["status"].choices = [(v, label) for v, label in Story.Status.choices if v in allowed]
        for name in ("reporters", "editor"):
            if name in self.fields:
                self.fields[name].queryset = _staff()

    def clean(self):
        data = super().clean()
        status = data.get("status", self.instance.status)
        if "reporters" in self.fields and status not in (Story.Status.IDEA, Story.Status.KILLED):
            if not data.get("reporters"):
                self.add_error("reporters", "Assign at least one reporter before the plan leaves “idea”.")
        return data


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("1", "Overdue")]

    def queryset(self, request, queryset):
        return queryset.overdue() if self.value() == "1" else queryset


def overdue_marker(story, now):
    """The overdue flag as text and colour (not colour alone)."""
    if not story.is_overdue(now):
        return ""
    return format_html('<strong class="overdue-marker">{}</strong>', "OVERDUE")


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    form = StoryForm
    list_display = [
        "slug",
        "working_headline",
        "desk",
        "status",
        "reporters_list",
        "due_at",
        "publish_slot",
        "overdue",
        "article_link",
    ]
    list_filter = ["status", "desk", OverdueFilter, "section"]
    list_select_related = ["section", "article"]
    search_fields = ["slug", "working_headline"]
    prepopulated_fields = {"slug": ["working_headline"]}
    date_hierarchy = "publish_slot"
    raw_id_fields = ["article"]
    actions = ["create_drafts"]
    change_list_template = "admin/planning/story/change_list.html"
    change_form_template = "admin/planning/story/change_form.html"
    fieldsets = [
        (None, {"fields": ["slug", "working_headline", "section", "desk", "status"]}),
        ("Assignment", {"fields": ["reporters", "editor", "due_at", "target_words", "publish_slot"]}),
        (None, {"fields": ["article", "notes"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("reporters")

    @admin.display(description="reporters")
    def reporters_list(self, story):
        return ", ".join(user.get_full_name() or user.get_username() for user in story.reporters.all())

    @admin.display(description="overdue")
    def overdue(self, story):
        return overdue_marker(story, timezone.now())

    @admin.display(description="article")
    def article_link(self, story):
        if story.article_id is None:
            return ""
        url = reverse("admin:articles_article_change", args=[story.article_id])
        return format_html('<a href="{}">{}</a>', url, story.article.get_status_display())

    # --- who changes what: editors everything, a reporter the status of their own plans ---

    def has_change_permission(self, request, obj=None):
        if super().has_change_permission(request, obj):
            return True
        if not request.user.has_perm("planning.update_story_status"):
            return False
        return obj is None or obj.is_assigned_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        if request.user.has_perm("planning.change_story"):
            return ["article"] if obj is None else []
        return [f for line in self.fieldsets for f in line[1]["fields"] if f != "status"]

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if request.user.has_perm("planning.change_story") else {}

    def has_draft_permission(self, request):
        return request.user.has_perm("articles.add_article")

    # --- create draft from plan ---

    @admin.action(description="Create draft articles from the selected plans", permissions=["draft"])
    def create_drafts(self, request, queryset):
        done = 0
        for story in queryset:
            try:
                drafting.create_draft(story, request.user)
                done += 1
            except drafting.DraftRefused as refused:
                self.message_user(request, str(refused), messages.WARNING)
        self.message_user(request, f"Created {done} draft article(s).", messages.SUCCESS)

    def draft_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        story = get_object_or_404(Story, pk=object_id)
        try:
            article = drafting.create_draft(story, request.user)
        except drafting.DraftRefused as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return redirect(reverse("admin:planning_story_change", args=[story.pk]))
        self.message_user(request, f"Draft “{article.headline}” created from the plan.", messages.SUCCESS)
        return redirect(reverse("admin:articles_article_change", args=[article.pk]))

    # --- the budget and the week ---

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("budget/", view(self.budget_view), name="planning_story_budget"),
            path("week/", view(self.week_view), name="planning_story_week"),
            path("<path:object_id>/draft/", view(self.draft_view), name="planning_story_draft"),
            *super().get_urls(),
        ]

    def _people(self):
        """Who can be picked in the person filter: anyone reporting or editing a plan."""
        return (
            get_user_model()
            .objects.filter(Q(assigned_stories__isnull=False) | Q(edited_stories__isnull=False))
            .distinct()
            .order_by("username")
        )

    def _person(self, request):
        """(user id or None, error message or None) from ?person=."""
        raw = request.GET.get("person", "").strip()
        if not raw:
            return None, None
        if not raw.isdigit() or not get_user_model().objects.filter(pk=raw).exists():
            return None, f"person: “{raw}” is not a user; showing everyone's plans."
        return int(raw), None

    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "now": timezone.now(),
            "desks": Desk,
            **extra,
        }

    def budget_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        now = timezone.now()
        today = timezone.localdate(now)
        days = [today, today + datetime.timedelta(days=1)]
        start, end = day_bounds(today)[0], day_bounds(days[-1])[1]
        person, error = self._person(request)
        stories = Story.objects.for_budget()
        if person is not None:
            stories = stories.involving(person)
        planned = list(stories.filter(planned_at__gte=start, planned_at__lt=end).order_by("planned_at", "pk"))
        earlier = list(stories.overdue(now).filter(planned_at__lt=start).order_by("planned_at", "pk"))
        by_day = []
        for day in days:
            on_day = [story for story in planned if story.planned_day == day]
            desks = [
                (Desk(desk).label, list(group))
                for desk, group in itertools.groupby(
                    sorted(on_day, key=lambda s: list(Desk.values).index(s.desk)), key=lambda s: s.desk
                )
            ]
            by_day.append((day, desks))
        context = self._context(
            request,
            "Story budget",
            by_day=by_day,
            earlier_overdue=earlier,
            people=self._people(),
            person=person,
            error=error,
            today=today,
        )
        return TemplateResponse(
            request, "admin/planning/story/budget.html", context, status=400 if error else 200
        )

    def week_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        now = timezone.now()
        today = timezone.localdate(now)
        error = None
        raw = request.GET.get("start", "").strip()
        try:
            first = (
                datetime.date.fromisoformat(raw) if raw else today - datetime.timedelta(days=today.weekday())
            )
        except ValueError:
            first = today - datetime.timedelta(days=today.weekday())
            error = f"start: “{raw}” is not a date (YYYY-MM-DD); showing this week."
        days = [first + datetime.timedelta(days=n) for n in range(7)]
        start, end = day_bounds(days[0])[0], day_bounds(days[-1])[1]
        person, person_error = self._person(request)
        error = error or person_error
        stories = Story.objects.for_budget()
        if person is not None:
            stories = stories.involving(person)
        planned = list(stories.filter(planned_at__gte=start, planned_at__lt=end).order_by("planned_at", "pk"))
        columns = [(day, [s for s in planned if s.planned_day == day]) for day in days]
        context = self._context(
            request,
            f"Week of {first:%Y-%m-%d}",
            columns=columns,
            previous_start=(first - datetime.timedelta(days=7)).isoformat(),
            next_start=(first + datetime.timedelta(days=7)).isoformat(),
            people=self._people(),
            person=person,
            error=error,
            today=today,
        )
        return TemplateResponse(
            request, "admin/planning/story/week.html", context, status=400 if error else 200
        )
