"""
The story budget: a Story is a plan for an article (who writes it, for which desk, by when, how long, for
which publishing slot), from idea to filed, and linked to its article once drafted. The article's own
workflow (desk/workflow.py) stays in charge of the article; a plan only follows it (planning/receivers.py).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Section


class Desk(models.TextChoices):
    """The newsroom's desks: a short fixed list (a site with other desks edits it here)."""

    NEWS = "news", "News"
    POLITICS = "politics", "Politics"
    WORLD = "world", "World"
    BUSINESS = "business", "Business"
    SPORT = "sport", "Sport"
    CULTURE = "culture", "Culture"
    OPINION = "opinion", "Opinion"


class StoryQuerySet(models.QuerySet):
    def for_budget(self):
        """What the budget pages show of each plan, in a fixed number of queries."""
        return (
            self.select_related("section", "editor", "article")
            .prefetch_related("reporters")
            .annotate(planned_at=Coalesce("publish_slot", "due_at"))
        )

    def planned_between(self, start, end):
        """Plans for the slot (or, without a slot, due) in [start, end)."""
        return self.annotate(planned_at=Coalesce("publish_slot", "due_at")).filter(
            planned_at__gte=start, planned_at__lt=end
        )

    def open(self):
        return self.exclude(status__in=Story.DONE)

    def overdue(self, now=None):
        """Due time passed and not filed, published or killed."""
        return self.filter(due_at__lt=now or timezone.now()).exclude(status__in=Story.NOT_OVERDUE)

    def assigned_to(self, user):
        """A reporter's open assignments, soonest due first (the desk dashboard)."""
        return (
            self.filter(reporters=user)
            .open()
            .select_related("section", "article")
            .order_by(models.F("due_at").asc(nulls_last=True), "pk")
        )

    def involving(self, user_id):
        """Plans the person reports or edits (the budget's person filter)."""
        return self.filter(Q(reporters=user_id) | Q(editor=user_id)).distinct()


class Story(models.Model):
    class Status(models.TextChoices):
        IDEA = "idea", "Idea"
        ASSIGNED = "assigned", "Assigned"
        IN_PROGRESS = "in_progress", "In progress"
        FILED = "filed", "Filed"
        PUBLISHED = "published", "Published"
        KILLED = "killed", "Killed"

    slug = models.SlugField(
        max_length=100, unique=True, allow_unicode=True, help_text="The budget line's short name."
    )
    working_headline = models.CharField(max_length=255)
    section = models.ForeignKey(Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    desk = models.CharField(max_length=20, choices=Desk, default=Desk.NEWS)
    reporters = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="assigned_stories")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="edited_stories",
    )
    due_at = models.DateTimeField("due", null=True, blank=True, help_text="When the copy is due.")
    target_words = models.PositiveIntegerField("target length (words)", null=True, blank=True)
    publish_slot = models.DateTimeField("planned publish slot", null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.IDEA)
    article = models.OneToOneField(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="story_plan"
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    modified_at = models.DateTimeField(auto_now=True)

    objects = StoryQuerySet.as_manager()

    S = Status
    DONE = (S.PUBLISHED, S.KILLED)
    NOT_OVERDUE = (S.FILED, S.PUBLISHED, S.KILLED)
    # Forward one step, back one step (a filed story sent back to the reporter), killed from any state not
    # published, and a killed idea revived. "published" is never chosen by hand: the article's publication
    # sets it (planning/receivers.py).
    TRANSITIONS = {
        S.IDEA: {S.ASSIGNED, S.KILLED},
        S.ASSIGNED: {S.IDEA, S.IN_PROGRESS, S.KILLED},
        S.IN_PROGRESS: {S.ASSIGNED, S.FILED, S.KILLED},
        S.FILED: {S.IN_PROGRESS, S.KILLED},
        S.PUBLISHED: set(),
        S.KILLED: {S.IDEA},
    }

    class Meta:
        ordering = [models.F("publish_slot").asc(nulls_last=True), "desk", "pk"]
        verbose_name = "story plan"
        verbose_name_plural = "story plans"
        indexes = [
            models.Index(fields=["publish_slot"], name="story_publish_slot"),
            models.Index(fields=["due_at"], name="story_due_at"),
        ]
        permissions = [("update_story_status", "Can update the status of stories assigned to them")]

    def __str__(self):
        return f"{self.slug}: {self.working_headline}"

    def get_absolute_url(self):
        return reverse("admin:planning_story_change", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        story = super().from_db(db, field_names, values, **kwargs)
        story._loaded_status = story.__dict__.get("status")
        return story

    def allowed_statuses(self):
        """The statuses this plan may move to from the one it was loaded with (its own included)."""
        loaded = getattr(self, "_loaded_status", None)
        if loaded is None:  # a new plan starts anywhere before filed
            return {self.S.IDEA, self.S.ASSIGNED, self.S.IN_PROGRESS}
        return {loaded, *self.TRANSITIONS[loaded]}

    def clean(self):
        super().clean()
        loaded = getattr(self, "_loaded_status", None)
        if self.status not in self.allowed_statuses():
            if self.status == self.S.PUBLISHED:
                reason = "a plan becomes published when its article is published"
            elif loaded == self.S.PUBLISHED:
                reason = "its article is published"
            elif loaded is None:
                reason = "a new plan starts as an idea, assigned or in progress"
            else:
                allowed = ", ".join(
                    str(self.S(s).label).lower() for s in self.S if s in self.TRANSITIONS[loaded]
                )
                reason = f"from {self.S(loaded).label.lower()} it can go to {allowed}"
            raise ValidationError(
                {"status": f"Cannot move the plan to “{self.get_status_display().lower()}”: {reason}."}
            )
        if self.due_at and self.publish_slot and self.due_at > self.publish_slot:
            raise ValidationError({"due_at": "The copy is due after its publishing slot."})

    def is_overdue(self, now=None):
        return (
            self.due_at is not None
            and self.due_at < (now or timezone.now())
            and self.status not in self.NOT_OVERDUE
        )

    def is_assigned_to(self, user):
        return self.reporters.filter(pk=user.pk).exists()

    @property
    def planned_day(self):
        when = getattr(self, "planned_at", None) or self.publish_slot or self.due_at
        return timezone.localtime(when).date() if when else None


def day_bounds(day: datetime.date):
    """[start, end) of a local calendar day, as aware datetimes."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))
    return start, end
