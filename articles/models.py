"""
The article and the models only it uses: sections, bylines, tag links, revisions, corrections, slug
history and pinned related stories; the one definition of what readers may see (published_q) and the
article's QuerySet. Over 500 lines: Article's own behaviour (slugs, sanitizing, locking, URLs) is here.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import ItemBase

from articles import related
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
    def with_tags(self):
        """Prefetch tags through TaggedArticle in one plain join (taggit's own prefetch joins twice)."""
        return self.prefetch_related(
            models.Prefetch(
                "tagged_items", queryset=TaggedArticle.objects.select_related("tag").order_by("tag__name")
            )
        )

    def related_to(self, article, *, limit=5, now=None):
        """Up to `limit` published stories related to `article`, pinned first, in one query."""
        return related.related_to(self.model, article, limit=limit, now=now, using=self.db)


class TaggedArticleQuerySet(models.QuerySet):
    def visible(self, now=None):
        """Links to articles visible at `now` (the through table's copy of published_q), newest first."""
        now = now or timezone.now()
        return self.filter(
            Q(visible_from__lte=now) & (Q(visible_until__isnull=True) | Q(visible_until__gt=now))
        ).order_by("-visible_from", "-content_object_id")


class TaggedArticle(ItemBase):
    """The article-tag link, with real foreign keys on both sides (no generic relation)."""

    # No single-column indexes: the unique (content_object, tag) and the (tag, ...) indexes below serve
    # every lookup by either key, and each index is one more write per link (about four per article).
    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items", db_index=False
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles", db_index=False)

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
    section = models.ForeignKey(  # indexed by article_section_newest and article_section_published
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="articles", db_index=False
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

    # Import tracking (import_articles): what the last import wrote, so a re-import can skip unchanged
    # items and can tell when an editor changed the article since (version moved past imported_version).
    import_checksum = models.CharField(
        max_length=64, blank=True, editable=False, help_text="SHA-256 of the imported record, normalized."
    )
    imported_version = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="The version the last import left; null if never."
    )
    # Import formats (XML): a fingerprint of the item as it was in the file (its serialized element, the
    # file's context, the importer's code), so a re-import recognises an unchanged item without building
    # its record. ":url" or ":file" at the end: the item names a lead image by URL or path. Empty when
    # the last import gave none.
    import_fingerprint = models.CharField(max_length=80, blank=True, default="", editable=False)
    # Import formats: the source's own version of the item (NewsML-G2 newsItem@version, NITF du-key), so a
    # wire correction updates the article and an older version arriving late is ignored.
    source_version = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="The version of the item at its source."
    )

    # --- workflow (issue 3): who started the article, for "own drafts" and the admin's "mine" filter.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # --- end workflow

    # Public site: an editor pins the home page's lead story; the most recent pin wins.
    home_pinned_at = models.DateTimeField(
        "pinned on the home page at",
        null=True,
        blank=True,
        help_text="Makes this the home page's lead story while it is published; the latest pin wins.",
    )

    # Images (issue 6): the photo at the top of the story, its Open Graph card and JSON-LD image.
    lead_image = models.ForeignKey(
        "images.Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="lead_image_articles"
    )
    # Images in imports (issue 5): where an imported lead image came from, the URL or the path relative to
    # the import file. A re-import naming the same source keeps the attached image (no second Image); a
    # remote URL is recorded here without an image unless the import ran with --fetch-images.
    lead_image_source = models.CharField(max_length=2000, blank=True, default="", editable=False)

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
        # workflow: optimistic locking. An update writes version + 1 only WHERE version is still the one
        # this instance was loaded with (see _do_update); a concurrent save makes that UPDATE match 0 rows.
        if self._state.adding or kwargs.get("force_insert"):
            super().save(*args, **kwargs)
            return
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        self._expected_version = self.version
        self.version += 1
        try:
            super().save(*args, **kwargs)
        except BaseException:
            self.version = self._expected_version
            raise
        finally:
            self._expected_version = None

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

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update, returning_fields):
        expected = getattr(self, "_expected_version", None)
        if expected is None:
            return super()._do_update(
                base_qs, using, pk_val, values, update_fields, forced_update, returning_fields
            )
        # One statement: UPDATE ... SET ..., version = expected + 1 WHERE id = pk AND version = expected.
        updated = super()._do_update(
            base_qs.filter(version=expected), using, pk_val, values, update_fields, True, returning_fields
        )
        if not updated:
            raise VersionConflict(self, expected)
        return updated

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


class VersionConflict(Exception):
    """
    Someone saved the article after this copy was loaded: saving it would overwrite their work.
    Like IntegrityError it aborts the current transaction, so catch it outside a transaction.atomic() block.
    """

    def __init__(self, article, expected_version):
        self.article = article
        self.expected_version = expected_version
        super().__init__(
            f"Article {article.pk} was changed by someone else since it was loaded "
            f"(version {expected_version} is no longer current)."
        )


class Byline(models.Model):
    class Role(models.TextChoices):
        REPORTING = "reporting", "Reporting"
        ADDITIONAL_REPORTING = "additional_reporting", "Additional reporting"
        WRITING = "writing", "Writing"
        PHOTOS = "photos", "Photos"
        VIDEO = "video", "Video"
        GRAPHICS = "graphics", "Graphics"
        EDITING = "editing", "Editing"

    # Indexed by the unique (article, author, role) and (author, article) below, not by each key alone.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines", db_index=False)
    author = models.ForeignKey(
        "authors.Author", on_delete=models.PROTECT, related_name="bylines", db_index=False
    )
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


# --- workflow (issue 3): revisions, transitions, notes, corrections, preview links -----------------------


def snapshot_of(article):
    """
    A JSON-able copy of everything an editor can change, including ordered bylines and tag names.

    Uses article.bylines.all() and article.tagged_items.all(), so on articles fetched with
    prefetch_related("bylines__author", "tagged_items__tag") it issues no query. The through table rather
    than taggit's manager: taggit builds a queryset per article even when its tags are prefetched.
    """
    return snapshot(
        article,
        section_name=article.section.name if article.section_id else "",
        bylines=[
            (b.author_id, b.author.name, b.role, b.position)
            for b in sorted(article.bylines.all(), key=lambda b: (b.position, b.pk or 0))
        ],
        tags=[item.tag.name for item in article.tagged_items.all()],
    )


def snapshot(article, *, section_name, bylines, tags):
    """
    The snapshot of `article`'s own fields plus related values the caller already holds: its section's
    name, its bylines as ordered (author_id, author_name, role, position) and its tag names. The importer
    builds its revisions with this from what it has just written, without reading the batch back.
    """
    return {
        "headline": article.headline,
        "slug": article.slug,
        "dek": article.dek,
        "body": article.body,
        "section": article.section_id,
        "section_name": section_name,
        "canonical_url": article.canonical_url,
        "lead_image": article.lead_image_id,
        "bylines": [
            {"author": author, "author_name": name, "role": role, "position": position}
            for author, name, role, position in bylines
        ],
        "tags": sorted(tags, key=str.casefold),
    }


class Revision(models.Model):
    """
    One saved version of an article: who, when, and a full snapshot (fields, ordered bylines, tags).

    Why not django-reversion or django-simple-history: both version one model row at a time. Our bylines
    are an ordered through model and the tags a taggit through model; reversion can follow them only by
    registering Byline and TaggedArticle too and restoring them as separate rows (reversion's restore of
    deleted related rows is opt-in and does not re-create taggit tags by name), and simple-history stores a
    historical copy per table with no grouping of one save across tables. We also need what neither offers:
    a *pending* revision that is not applied to the live row (staged edits to published articles) and an
    approval that belongs to one revision. So, like Wagtail (wagtail/models/revisions.py), we keep a small
    JSON snapshot per save.
    """

    # Indexed by the unique (article, number) below.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions", db_index=False)
    number = models.PositiveIntegerField(help_text="1, 2, 3... per article.")
    # The article's lock version right after this revision was saved (conflict messages compare these).
    version = models.PositiveIntegerField(default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    snapshot = models.JSONField()
    comment = models.CharField(max_length=500, blank=True)
    is_minor = models.BooleanField(default=False, help_text="A typo fix: leaves the public 'updated' time.")
    # Staged edit of a published article: stored, previewable, not applied until "publish update".
    pending = models.BooleanField(default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="articles_revision_unique_number"),
        ]

    def __str__(self):
        return f"{self.article_id} revision {self.number}"

    @property
    def is_approved(self):
        return self.approved_at is not None

    @classmethod
    def latest_numbers(cls, article_ids) -> dict[int, int]:
        """{article id: its latest revision number} for those that have revisions, in one query."""
        return dict(
            cls.objects.filter(article__in=article_ids)
            .values("article")
            .annotate(n=models.Max("number"))
            .values_list("article", "n")
        )


class Correction(models.Model):
    """A public correction or clarification appended to a published article (JSON-LD `correction`)."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        CLARIFICATION = "clarification", "Clarification"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.CORRECTION)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:50]}"


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
