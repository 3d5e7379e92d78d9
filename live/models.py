"""
Live coverage of an article (a live blog): its coverage state and its timestamped updates, each edit or
deletion of an update keeping the text it replaced (LiveUpdateRevision).

An article is live while it has a LiveCoverage row in state `live`; `ended` keeps the updates on the page
with a "coverage ended" notice; no row means an ordinary article. Readers see an update once its article is
published (Article.objects.published()) and its own published_at has passed (LiveUpdateQuerySet.visible()).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.template.defaultfilters import linebreaks
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from articles.models import Article
from articles.sanitize import sanitize_html


class LiveCoverage(models.Model):
    class State(models.TextChoices):
        LIVE = "live", "Live"
        ENDED = "ended", "Coverage ended"

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="live_coverage"
    )
    state = models.CharField(max_length=10, choices=State, default=State.LIVE)
    started_at = models.DateTimeField(default=timezone.now, help_text="coverageStartTime in the page's data.")
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Set when the coverage ends.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "live blog"
        verbose_name_plural = "live blogs"
        ordering = ["-started_at"]

    def __str__(self):
        return f"Live: {self.article}"

    @property
    def is_live(self):
        return self.state == self.State.LIVE

    def clean(self):
        if self.state == self.State.ENDED and self.ended_at is None:
            self.ended_at = timezone.now()
        if self.state == self.State.LIVE:
            self.ended_at = None
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise ValidationError({"ended_at": "The coverage cannot end before it started."})

    def end(self, now=None):
        self.state, self.ended_at = self.State.ENDED, now or timezone.now()
        self.save(update_fields=["state", "ended_at", "updated_at"])

    def resume(self):
        self.state, self.ended_at = self.State.LIVE, None
        self.save(update_fields=["state", "ended_at", "updated_at"])


class LiveUpdateQuerySet(models.QuerySet):
    def visible(self, now=None):
        """Updates readers may see at `now`: published ones of a published article (published())."""
        now = now or timezone.now()
        published = Article.objects.published(now).values("pk")
        return self.filter(published_at__isnull=False, published_at__lte=now, article__in=published)

    def for_page(self):
        """What the page renders of each update: author and image (renditions prefetched), fixed queries."""
        return self.select_related("author", "image").prefetch_related("image__renditions")

    def delete(self):
        """Bulk deletes (the admin's action) keep each update's last version too."""
        with transaction.atomic(using=self.db):
            for update in self:
                update._keep_previous(LiveUpdateRevision.Action.DELETED, None)
            return super().delete()

    def page_order(self):
        """Pinned first, then newest first."""
        return self.order_by("-is_pinned", "-published_at", "-pk")


class LiveUpdate(models.Model):
    """
    One timestamped entry of a live blog. The body is HTML cleaned by the article body's allow-list
    (articles.sanitize); plain text (no tag at all) becomes paragraphs. Saving an edit or deleting keeps
    the replaced version as a LiveUpdateRevision: save(by=user) and delete(by=user) say who did it.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="live_updates")
    headline = models.CharField(
        max_length=200, blank=True, help_text="Optional; key events are listed by it (else the first words)."
    )
    body = models.TextField(help_text="Plain text or HTML; sanitized on save.")
    author = models.ForeignKey(
        "authors.Author", on_delete=models.SET_NULL, null=True, blank=True, related_name="live_updates"
    )
    image = models.ForeignKey(
        "images.Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="live_updates"
    )
    embed_url = models.URLField(
        "embed URL", max_length=500, blank=True, help_text="A post or video to show with the update."
    )
    is_pinned = models.BooleanField("pinned", default=False, help_text="Shown above every other update.")
    is_key_event = models.BooleanField("key event", default=False, help_text="Listed in the key events.")
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: a draft readers do not see. Never in the future."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False,
        related_name="+",
    )  # fmt: skip

    objects = LiveUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            # The page's and the fragment's lists: an article's updates in page order, and changed since.
            models.Index(fields=["article", "-is_pinned", "-published_at"], name="liveupdate_page"),
            models.Index(fields=["article", "updated_at"], name="liveupdate_changed"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, by=None, **kwargs):
        if self.body and "<" not in self.body:
            self.body = linebreaks(self.body)
        self.body = sanitize_html(self.body)
        with transaction.atomic(using=kwargs.get("using")):
            if not self._state.adding:
                self._keep_previous(LiveUpdateRevision.Action.EDITED, by)
            super().save(*args, **kwargs)

    def delete(self, *args, by=None, **kwargs):
        with transaction.atomic(using=kwargs.get("using")):
            self._keep_previous(LiveUpdateRevision.Action.DELETED, by)
            return super().delete(*args, **kwargs)

    def clean(self):
        if self.published_at is not None and self.published_at > timezone.now() + CLOCK_SKEW:
            raise ValidationError(
                {
                    "published_at": "An update cannot be published in the future (scheduled updates are not "
                    "supported): leave it empty to keep a draft, and publish it when it is due."
                }
            )
        if not self.text and not self.image_id and not self.embed_url:
            raise ValidationError({"body": "An update needs some text, an image or an embed URL."})

    @property
    def title(self):
        """The headline, or the first words of the body: key events and the JSON-LD headline."""
        return self.headline or Truncator(self.text).chars(80) or f"Update {self.pk}"

    @property
    def text(self):
        return " ".join(strip_tags(self.body).split())

    @property
    def anchor(self):
        return f"update-{self.pk}"

    def _keep_previous(self, action, user):
        """Store the row as it is in the database before this edit or deletion (unchanged edits: none)."""
        previous = LiveUpdate.objects.filter(pk=self.pk).first()
        if previous is None:
            return
        snapshot = previous.snapshot()
        if action == LiveUpdateRevision.Action.EDITED and snapshot == self.snapshot():
            return
        LiveUpdateRevision.objects.create(
            update_id=self.pk, article_id=previous.article_id, action=action, snapshot=snapshot, user=user
        )

    def snapshot(self):
        return {
            "headline": self.headline,
            "body": sanitize_html(linebreaks(self.body) if self.body and "<" not in self.body else self.body),
            "author": self.author_id,
            "image": self.image_id,
            "embed_url": self.embed_url,
            "is_pinned": self.is_pinned,
            "is_key_event": self.is_key_event,
            "published_at": self.published_at.isoformat() if self.published_at else None,
        }


# A form's "now" may be a moment ahead of the server's clock.
CLOCK_SKEW = datetime.timedelta(minutes=1)


class LiveUpdateRevision(models.Model):
    """
    A version of an update that an edit replaced or a deletion removed: its snapshot, who changed it
    and when. `update` keeps the id after the update is deleted (no database constraint).
    """

    class Action(models.TextChoices):
        EDITED = "edited", "Edited"
        DELETED = "deleted", "Deleted"

    update = models.ForeignKey(
        LiveUpdate, on_delete=models.DO_NOTHING, db_constraint=False, related_name="revisions"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="live_update_revisions")
    action = models.CharField(max_length=10, choices=Action)
    snapshot = models.JSONField(help_text="The update before the change.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "live update revision"

    def __str__(self):
        return f"Update {self.update_id} {self.get_action_display().lower()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def text(self):
        return " ".join(strip_tags(self.snapshot.get("body", "")).split())
