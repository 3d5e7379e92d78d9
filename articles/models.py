from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import ItemBase

from articles.sanitize import sanitize_html
from newsroom.slugs import unique_slug
from tags.models import Tag


class Section(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers come first in navigation."
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Section, self.name, max_length=100)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"
    UNPUBLISHED = "unpublished", "Unpublished"


def published_q(now):
    """
    The one definition of "visible to readers" at `now`, as a Q object.

    A published article is live once its published_at has passed. A scheduled article is live from its
    publish_at on (unless it is on legal hold), so nothing waits for a cron job; publish_scheduled only
    records the transition afterwards. Either stops being live at unpublish_at (embargo end, expiry).
    """
    return (
        Q(status=Status.PUBLISHED, published_at__lte=now)
        | Q(status=Status.SCHEDULED, publish_at__lte=now, legal_hold=False)
    ) & (Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=now))


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        return self.filter(published_q(now or timezone.now()))

    def newest_first(self):
        return self.order_by("-published_at", "-pk")

    def for_listing(self):
        """What list pages render: section joined, bylines and tags prefetched (a fixed number of queries)."""
        return self.select_related("section").prefetch_related(
            models.Prefetch("bylines", queryset=Byline.objects.select_related("author")),
            "tags",
        )


class TaggedArticle(ItemBase):
    """The article-tag link, with real foreign keys on both sides (no generic relation)."""

    content_object = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="tagged_items")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="articles_taggedarticle_unique"),
        ]
        indexes = [models.Index(fields=["tag", "content_object"], name="taggedarticle_tag_article")]

    @classmethod
    def tags_for(cls, model, instance=None, **extra_filters):
        qs = Tag.objects.filter(tagged_articles__content_object__isnull=False)
        if instance is not None:
            qs = qs.filter(tagged_articles__content_object=instance)
        return qs.filter(**extra_filters).distinct()


class Article(models.Model):
    headline = models.CharField(max_length=255)
    slug = models.SlugField(
        max_length=255,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text="Made from the headline when empty.",
    )
    dek = models.TextField("dek", blank=True, help_text="The standfirst under the headline; plain text.")
    body = models.TextField(blank=True, help_text="HTML; sanitized on save.")
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="articles"
    )
    authors = models.ManyToManyField("authors.Author", through="Byline", related_name="articles", blank=True)
    tags = TaggableManager(through=TaggedArticle, blank=True, related_name="articles")

    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    # For published and scheduled articles published_at is the public date (a scheduled article's
    # published_at is its publish_at), so one ordering serves every list.
    published_at = models.DateTimeField(null=True, blank=True)
    publish_at = models.DateTimeField(null=True, blank=True, help_text="When a scheduled article goes live.")
    unpublish_at = models.DateTimeField(null=True, blank=True, help_text="Embargo end or expiry.")
    updated_at = models.DateTimeField(
        null=True, blank=True, help_text="The public 'updated' time; minor edits leave it alone."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    modified_at = models.DateTimeField(auto_now=True)

    legal_hold = models.BooleanField(default=False, help_text="Blocks publishing and scheduling while set.")
    legal_hold_reason = models.TextField(blank=True)
    # Optimistic locking: every save increments it, and a save that read an older number is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    source = models.CharField(max_length=100, blank=True, help_text="Where an imported article came from.")
    external_id = models.CharField(max_length=255, blank=True, help_text="The article's id at its source.")
    canonical_url = models.URLField(max_length=500, blank=True)

    # Images (issue 6): the photo at the top of the story, its Open Graph card and JSON-LD image.
    lead_image = models.ForeignKey(
        "images.Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="lead_image_articles"
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="articles_article_unique_source_external_id",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "published_at"], name="article_status_published"),
            models.Index(fields=["section", "status", "published_at"], name="article_section_published"),
            models.Index(fields=["status", "publish_at"], name="article_status_publish_at"),
            models.Index(fields=["-modified_at"], name="article_modified"),
        ]
        permissions = [
            ("publish_article", "Can publish, schedule and unpublish articles"),
            ("review_article", "Can review articles: request changes and approve"),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        if not self.slug:
            self.slug = unique_slug(
                Article, self.headline, max_length=255, fallback="article", exclude_pk=self.pk
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        date = timezone.localtime(self.published_at or self.publish_at or self.created_at)
        return reverse(
            "articles:detail",
            kwargs={
                "year": date.year,
                "month": f"{date.month:02d}",
                "day": f"{date.day:02d}",
                "slug": self.slug,
            },
        )

    def is_published(self, now=None):
        """The same test as published_q(), for one article already in memory."""
        now = now or timezone.now()
        if self.unpublish_at is not None and self.unpublish_at <= now:
            return False
        if self.status == Status.PUBLISHED:
            return self.published_at is not None and self.published_at <= now
        if self.status == Status.SCHEDULED:
            return not self.legal_hold and self.publish_at is not None and self.publish_at <= now
        return False

    is_published.boolean = True


class Byline(models.Model):
    class Role(models.TextChoices):
        REPORTING = "reporting", "Reporting"
        ADDITIONAL_REPORTING = "additional_reporting", "Additional reporting"
        WRITING = "writing", "Writing"
        PHOTOS = "photos", "Photos"
        VIDEO = "video", "Video"
        GRAPHICS = "graphics", "Graphics"
        EDITING = "editing", "Editing"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey("authors.Author", on_delete=models.PROTECT, related_name="bylines")
    role = models.CharField(max_length=30, choices=Role, default=Role.REPORTING)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author", "role"], name="articles_byline_unique_role"),
        ]

    def __str__(self):
        return f"{self.author} ({self.get_role_display()})"
