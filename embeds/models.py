"""
The cache of oEmbed answers, one row per URL an editor pasted on its own paragraph. Rows are written when
an article is saved in the admin (embeds.fetch), never while a public page renders; the page reads them in
one query (embeds.render).
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class Embed(models.Model):
    class Status(models.TextChoices):
        OK = "ok", "Fetched"
        FAILED = "failed", "Failed"

    url = models.CharField("URL", max_length=1000, unique=True)
    provider = models.CharField(max_length=30, help_text="embeds.providers name: youtube, vimeo, …")
    status = models.CharField(max_length=10, choices=Status, default=Status.OK)
    title = models.CharField(max_length=500, blank=True)
    author_name = models.CharField(max_length=255, blank=True)
    # The provider's HTML, sanitized (embeds.sanitize): kept for the record and the reader's placeholder
    # never renders it; readers who opt in get frame_url only.
    html = models.TextField(blank=True)
    frame_url = models.CharField(
        "iframe URL", max_length=1000, blank=True, help_text="On the provider's allowed frame host (https)."
    )
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, help_text="Why the last fetch failed.")
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-fetched_at", "-pk"]

    def __str__(self):
        return self.title or self.url

    @property
    def usable(self):
        """Readers get a click-to-load placeholder; otherwise a plain link."""
        return self.status == self.Status.OK and bool(self.frame_url)

    def is_stale(self, now=None):
        age = (now or timezone.now()) - self.fetched_at
        return self.status != self.Status.OK or age > datetime.timedelta(days=settings.EMBED_CACHE_DAYS)
