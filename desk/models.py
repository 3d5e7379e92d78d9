"""
The desk's own records about articles: the transition log of the workflow, internal notes, and shareable
preview links. They moved here from articles (migrations articles.0012 and desk.0001 move the model state;
the tables keep their articles_* names, so no row moves).
"""

import datetime
import uuid

from django.conf import settings
from django.core import signing
from django.db import models
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Revision, Status


class Transition(models.Model):
    """The log of every workflow action: who did what to which article, from which state to which."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="transitions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the scheduler did it.",
    )
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, choices=Status)
    to_status = models.CharField(max_length=20, choices=Status)
    comment = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0, help_text="The article's lock version afterwards.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "articles_transition"  # moved from articles (migration desk.0001): the table kept its name
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["article", "-created_at"], name="transition_article_created")]

    def __str__(self):
        return f"{self.action}: {self.from_status} → {self.to_status}"

    @property
    def actor_name(self):
        return (self.actor.get_full_name() or self.actor.get_username()) if self.actor else "scheduler"


class Note(models.Model):
    """An internal note on an article, visible only in the admin."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "articles_note"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.text[:50]


PREVIEW_LINK_LIFETIME = datetime.timedelta(hours=48)


def default_preview_expiry():
    return timezone.now() + PREVIEW_LINK_LIFETIME


class PreviewLink(models.Model):
    """
    A shareable preview of an article (or of one revision) for people without a login. The URL carries a
    signed id (django.core.signing); the row decides whether it still works (expiry, revocation).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="preview_links")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField(default=default_preview_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True)

    SALT = "articles.preview"

    class Meta:
        db_table = "articles_previewlink"
        ordering = ["-created_at"]

    def __str__(self):
        return f"preview of {self.article_id} until {self.expires_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("desk:preview", kwargs={"token": self.token})

    @property
    def token(self):
        return signing.dumps(str(self.id), salt=self.SALT, compress=False)

    def is_valid(self, now=None):
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now

    @classmethod
    def from_token(cls, token):
        """The live link for a token, or None if the token is tampered with, expired or revoked."""
        try:
            link_id = uuid.UUID(signing.loads(token, salt=cls.SALT))
        except (signing.BadSignature, ValueError, TypeError):
            return None
        link = cls.objects.select_related("article", "revision").filter(pk=link_id).first()
        return link if link is not None and link.is_valid() else None


class Autosave(models.Model):
    """
    The latest unsaved state of one person's article form, written every few seconds while they type: a
    draft revision kept beside the article, not in its history. It bumps neither the lock version nor the
    revision numbers, so readers, other editors and the conflict check see nothing until a real save,
    which deletes it. `based_on_version` is the version the form was loaded at: a form restored from an
    autosave saves against that version, so an edit made by someone else in between is still detected.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="autosaves")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The form as posted: {field name: [values]}, bylines inline included (bylines-0-author, ...).
    data = models.JSONField()
    based_on_version = models.PositiveIntegerField()
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="desk_autosave_one_per_user"),
        ]

    def __str__(self):
        return f"autosave of {self.article_id} by {self.user_id} at {self.saved_at:%Y-%m-%d %H:%M:%S}"

    def value(self, name):
        """The last posted value of a form field, or None if the form did not send it."""
        values = self.data.get(name)
        return values[-1] if values else None


class NewArticleAutosave(models.Model):
    """
    The add form's autosave, before the article exists: the form as posted, kept per person and per open
    form (`token`, a random id the add page puts in the form) until the first real save deletes it. No
    article row is created, so nothing has a version, a revision or a slug yet: the first save is an
    ordinary add, and the optimistic lock starts from it (docs/desk.md).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.UUIDField(help_text="The open add form's own id: two open forms keep two copies.")
    data = models.JSONField()  # as Autosave.data
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-saved_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="desk_newautosave_one_per_form"),
        ]

    def __str__(self):
        return f"autosave of a new article by {self.user_id} at {self.saved_at:%Y-%m-%d %H:%M:%S}"

    value = Autosave.value

    @property
    def headline(self):
        return (self.value("headline") or "").strip()


class PresenceQuerySet(models.QuerySet):
    def current(self, now=None):
        """Presences seen within ARTICLE_PRESENCE_TIMEOUT seconds: the page is (probably) still open."""
        cutoff = (now or timezone.now()) - datetime.timedelta(seconds=settings.ARTICLE_PRESENCE_TIMEOUT)
        return self.filter(last_seen__gte=cutoff)


class Presence(models.Model):
    """Who has an article's change form open: refreshed by the form's heartbeat, stale after a timeout."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    objects = PresenceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="desk_presence_one_per_user"),
        ]

    def __str__(self):
        return f"{self.user_id} on {self.article_id} since {self.opened_at:%H:%M}"
