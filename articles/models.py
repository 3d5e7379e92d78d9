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


# Public site: the columns published_q() reads, included in the list indexes for index-only scans.
VISIBILITY_COLUMNS = ["status", "publish_at", "unpublish_at", "legal_hold"]


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

    # Public site ------------------------------------------------------------------------------------------
    def for_cards(self):
        """What story cards render (headline, dek, bylines, date): the section joined, bylines prefetched."""
        return self.select_related("section").prefetch_related(
            models.Prefetch("bylines", queryset=Byline.objects.select_related("author"))
        )

    def with_tags(self):
        """Prefetch tags through TaggedArticle in one plain join (taggit's own prefetch joins twice)."""
        return self.prefetch_related(
            models.Prefetch(
                "tagged_items", queryset=TaggedArticle.objects.select_related("tag").order_by("tag__name")
            )
        )

    def related_to(self, article, *, limit=5, now=None):
        """Up to `limit` published stories related to `article`, pinned first, in one query."""
        from articles.related import related_to

        return related_to(article, limit=limit, now=now, using=self.db)

    def latest_per_section(self, per_section, *, now=None):
        """{section_id: [newest published articles]} for every section, in one query (articles/related.py)."""
        from articles.related import latest_per_section

        return latest_per_section(per_section, now=now, using=self.db)


class TaggedArticleQuerySet(models.QuerySet):
    def visible(self, now=None):
        """Links to articles visible at `now` (the through table's copy of published_q), newest first."""
        now = now or timezone.now()
        return self.filter(
            Q(visible_from__lte=now) & (Q(visible_until__isnull=True) | Q(visible_until__gt=now))
        ).order_by("-visible_from", "-content_object_id")


class TaggedArticle(ItemBase):
    """The article-tag link, with real foreign keys on both sides (no generic relation)."""

    content_object = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="tagged_items")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="articles_taggedarticle_unique"),
        ]
        indexes = [
            models.Index(fields=["tag", "content_object"], name="taggedarticle_tag_article"),
            # Public site: a tag's visible articles, newest first, from this index alone (tag pages at any
            # depth, tag page counts, related-story candidates).
            models.Index(
                fields=["tag", "-visible_from", "-content_object", "visible_until"],
                name="taggedarticle_tag_visible",
            ),
        ]

    # Public site: when the article is visible to readers, copied from it by database triggers
    # (articles/db_triggers.py), so tag pages and related stories page through one index without reading
    # articles: visible_from is published_at for a published article, publish_at for a scheduled one not
    # on hold, NULL otherwise; visible_until is unpublish_at. The same test as published_q().
    visible_from = models.DateTimeField(null=True, blank=True, editable=False)
    visible_until = models.DateTimeField(null=True, blank=True, editable=False)

    objects = TaggedArticleQuerySet.as_manager()

    @classmethod
    def tags_for(cls, model, instance=None, **extra_filters):
        # One filter() call, so every condition applies to the same join (separate calls on a multi-valued
        # relation join it again: taggit's prefetch then crossed every article of every tag).
        filters = {"tagged_articles__content_object__isnull": False, **extra_filters}
        if instance is not None:
            filters["tagged_articles__content_object"] = instance
        return Tag.objects.filter(**filters).distinct()


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

    # Public site: an editor pins the home page's lead story; the most recent pin wins.
    home_pinned_at = models.DateTimeField(
        "pinned on the home page at",
        null=True,
        blank=True,
        help_text="Makes this the home page's lead story while it is published; the latest pin wins.",
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
            # Public site: newest-first lists (home, sections, feeds) and the cache's next-change lookup.
            # (They carry the columns of published_q(), so a deep page is counted and skipped in the index.)
            models.Index(fields=["-published_at", "-id", *VISIBILITY_COLUMNS], name="article_newest"),
            models.Index(
                fields=["section", "-published_at", "-id", *VISIBILITY_COLUMNS], name="article_section_newest"
            ),
            models.Index(fields=["unpublish_at"], name="article_unpublish_at"),
            models.Index(
                fields=["-home_pinned_at"],
                name="article_home_pinned",
                condition=Q(home_pinned_at__isnull=False),
            ),
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
        # Public site: author pages.
        indexes = [models.Index(fields=["author", "article"], name="byline_author_article")]

    def __str__(self):
        return f"{self.author} ({self.get_role_display()})"


class ArticleSlugHistory(models.Model):
    """A slug a published article used to have: its old URL answers 301 to the current one forever."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="slug_history")
    slug = models.SlugField(max_length=255, unique=True, allow_unicode=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "old slug"
        verbose_name_plural = "slug history"

    def __str__(self):
        return self.slug


class RelatedPin(models.Model):
    """A story an editor pins as related to an article; pins come before automatic related stories."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_pins")
    related = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "related"], name="articles_relatedpin_unique"),
            models.CheckConstraint(
                condition=~Q(article=models.F("related")), name="articles_relatedpin_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.article} → {self.related}"
