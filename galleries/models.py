"""
An article's gallery: its photos from the image library in order, each with an optional caption and credit
of its own (the image's are used when empty). The public page reads the whole gallery, renditions included,
in two queries whatever its size (GalleryItemQuerySet.for_page).
"""

from django.db import models


class GalleryItemQuerySet(models.QuerySet):
    def for_page(self):
        """Items in order with their images and renditions: a fixed number of queries."""
        return self.select_related("image").prefetch_related("image__renditions").order_by("position", "pk")


class GalleryItem(models.Model):
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="gallery_items")
    # PROTECT: deleting a photo some gallery shows is refused with the list of articles, not done silently.
    image = models.ForeignKey("images.Image", on_delete=models.PROTECT, related_name="gallery_items")
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")
    caption = models.TextField(
        blank=True, help_text="Replaces the image's own caption here; empty: the image's."
    )
    credit = models.CharField(
        max_length=255, blank=True, help_text="Replaces the image's own credit here; empty: the image's."
    )

    objects = GalleryItemQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "gallery photo"
        verbose_name_plural = "gallery"

    def __str__(self):
        return f"{self.position}: {self.image}"

    @property
    def shown_caption(self):
        return self.caption or self.image.caption

    @property
    def shown_credit(self):
        return self.credit or self.image.credit
