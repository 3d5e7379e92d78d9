from django.apps import apps
from django.db import models, transaction
from django.db.models import Min
from django.db.models.functions import Lower
from django.urls import reverse
from taggit.models import TagBase


class TagQuerySet(models.QuerySet):
    @transaction.atomic
    def merge(self, sources, *, into):
        """
        Merge the tags `sources` into the tag `into`, in one transaction: every article tagged with a
        source is tagged with `into` instead (an article that had several of them, or `into` already,
        keeps a single link), a TagRedirect sends each old slug (and any slug that already redirected
        to a source) to `into`, and the sources are deleted. Articles themselves are not changed.
        Returns the number of articles that gained the target tag.
        """
        TaggedArticle = apps.get_model("articles", "TaggedArticle")
        sources = [tag for tag in sources if tag.pk != into.pk]
        if not sources:
            return 0
        source_ids = [tag.pk for tag in sources]
        links = TaggedArticle.objects.filter(tag_id__in=source_ids)
        # Articles that already carry the target lose their source links; of several source links of
        # one article only the first is kept; what remains is pointed at the target.
        tagged_with_target = TaggedArticle.objects.filter(tag=into).values("content_object_id")
        links.filter(content_object_id__in=tagged_with_target).delete()
        first = links.order_by().values("content_object_id").annotate(first=Min("pk")).values("first")
        links.exclude(pk__in=first).delete()
        moved = links.update(tag=into)
        TagRedirect.objects.filter(target_id__in=source_ids).update(target=into)
        TagRedirect.objects.filter(old_slug=into.slug).delete()  # the live tag answers there again
        for tag in sources:
            TagRedirect.objects.update_or_create(
                old_slug=tag.slug, defaults={"old_name": tag.name, "target": into}
            )
        self.model.objects.filter(pk__in=source_ids).delete()
        return moved


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

    objects = TagQuerySet.as_manager()

    def get_absolute_url(self):
        return reverse("tags:detail", kwargs={"slug": self.slug})


class TagRedirect(models.Model):
    """The slug of a tag merged into another (merge_tags): /tags/<old_slug>/ answers 301 to the target."""

    old_slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    old_name = models.CharField(max_length=100, blank=True, help_text="The merged tag's name.")
    target = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="redirects")
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]

    def __str__(self):
        return f"{self.old_slug} -> {self.target.slug}"
