from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from taggit.models import TagBase


class Tag(TagBase):
    """A subject label. Names are unique regardless of case: "donald trump" is "Donald Trump"."""

    class Kind(models.TextChoices):
        TOPIC = "topic", "Topic"
        PERSON = "person", "Person"
        ORGANIZATION = "organization", "Organization"
        PLACE = "place", "Place"
        EVENT = "event", "Event"

    description = models.TextField(blank=True, help_text="Shown on the tag page; plain text.")
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.TOPIC)
    # Public site: how many articles (any status) carry the tag, kept by database triggers; the rarity
    # weight of related stories. Never shown to readers (it counts drafts).
    article_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "tag"
        verbose_name_plural = "tags"
        constraints = [models.UniqueConstraint(Lower("name"), name="tags_tag_name_case_insensitive_unique")]

    def get_absolute_url(self):
        return reverse("tags:detail", kwargs={"slug": self.slug})
