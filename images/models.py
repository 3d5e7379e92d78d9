import hashlib
import posixpath
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from images import processing
from newsroom.links import absolute_url


def original_path(image, filename):
    # One folder per image with an unguessable part, so renditions sit beside their original and a new
    # upload never overwrites (or is cached as) an older one.
    return f"images/{timezone.now():%Y/%m}/{secrets.token_hex(8)}/{filename}"


class ImageQuerySet(models.QuerySet):
    def with_renditions(self):
        """Prefetch what {% picture %} and social_card_url read, so templates never query per image."""
        return self.prefetch_related("renditions")


class Image(models.Model):
    """
    A photo in the library. `file` is the original as we store it: re-encoded with the EXIF orientation
    applied and every piece of metadata stripped except the colour profile (images.processing). Renditions
    (Rendition rows) are made when the image is saved through images.ingest, never while a page renders.
    """

    file = models.FileField("original", upload_to=original_path, max_length=255)
    alt_text = models.CharField(
        "alt text",
        max_length=500,
        help_text="What the photo shows, for readers who cannot see it. Required.",
    )
    caption = models.TextField(blank=True)
    credit = models.CharField(max_length=255, blank=True, help_text="Photographer and agency.")
    focal_x = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Horizontal focal point, 0 (left) to 1 (right); click the image to set it.",
    )
    focal_y = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Vertical focal point, 0 (top) to 1 (bottom).",
    )
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    format = models.CharField(max_length=10, editable=False, help_text="Format of the original.")
    file_size = models.PositiveIntegerField(editable=False, default=0)
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="uploaded_images",
    )

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["-uploaded_at"], name="image_uploaded")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(focal_x__isnull=True) & Q(focal_y__isnull=True))
                | (Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1)),
                name="images_image_focal_point_in_range",
            ),
        ]

    def __str__(self):
        return self.caption[:80] or self.alt_text[:80] or f"Image {self.pk}"

    def clean(self):
        if (self.focal_x is None) != (self.focal_y is None):
            raise ValidationError("Set both focal point coordinates, or neither (the centre is used).")

    @property
    def focal(self):
        return (self.focal_x, self.focal_y)

    @property
    def folder(self):
        return posixpath.dirname(self.file.name)

    def planned_renditions(self):
        """The (kind, width, format) keys this image should have."""
        keys = {
            (Rendition.Kind.WIDTH, width, format)
            for width in processing.planned_widths(self.width)
            for format in processing.rendition_formats()
        }
        keys.add((Rendition.Kind.SOCIAL, min(self.social_card_width(), processing.SOCIAL_CARD[0]), "jpeg"))
        return keys

    def social_card_width(self):
        box = processing.social_crop_box((self.width, self.height), *self.focal)
        return box[2] - box[0]

    def rendition_name(self, rendered):
        # A digest of the content is in the name: a regenerated rendition (a moved focal point, new quality
        # settings) gets a new URL, so URLs can be cached forever and no cache serves an old crop.
        digest = hashlib.blake2b(rendered.data, digest_size=4).hexdigest()
        ext = processing.EXTENSIONS[rendered.format]
        stem = "social" if rendered.kind == Rendition.Kind.SOCIAL else f"w{rendered.width}"
        return f"{self.folder}/{stem}-{digest}.{ext}"

    def store_renditions(self, rendered, *, replace=False):
        """
        Write rendered files and their rows under a lock on this image, so two processes never both store
        the same rendition: keys that exist are skipped unless `replace`. Replaced files are deleted only
        after the transaction commits; if anything fails, the files written so far are removed and the rows
        roll back. Returns how many renditions were written.
        """
        storage = self.file.storage
        written, replaced = [], []
        try:
            with transaction.atomic():
                Image.objects.select_for_update().filter(pk=self.pk).first()
                rows = Rendition.objects.filter(image=self)
                existing = {(r.kind, r.width, r.format): r for r in rows}
                new_rows = []
                for item in rendered:
                    row = existing.get((item.kind, item.width, item.format))
                    if row is not None and not replace:
                        continue
                    name = self.rendition_name(item)
                    if row is not None and row.file.name == name:
                        continue  # same bytes already stored
                    stored = storage.save(name, ContentFile(item.data))
                    written.append(stored)
                    if row is None:
                        row = Rendition(image=self, kind=item.kind, width=item.width, format=item.format)
                        new_rows.append(row)
                    else:
                        replaced.append(row.file.name)
                    row.height, row.file.name, row.file_size = item.height, stored, len(item.data)
                    if row.pk:
                        row.save(update_fields=["height", "file", "file_size"])
                Rendition.objects.bulk_create(new_rows)
                for name in replaced:
                    transaction.on_commit(lambda name=name: storage.delete(name))
        except BaseException:
            for name in written:
                storage.delete(name)
            raise
        finally:
            getattr(self, "_prefetched_objects_cache", {}).pop("renditions", None)
        return len(written)

    def drop_stale_renditions(self):
        """Delete renditions this image no longer plans (say, a social card narrower after a focal move)."""
        planned = self.planned_renditions()
        rows = Rendition.objects.filter(image=self)
        stale = [r for r in rows if (r.kind, r.width, r.format) not in planned]
        for row in stale:
            row.delete()
        return len(stale)

    def social_card(self):
        return next((r for r in self.renditions.all() if r.kind == Rendition.Kind.SOCIAL), None)

    @property
    def social_card_url(self):
        """Absolute URL of the 1200×630 Open Graph card (from prefetched renditions: no storage call)."""
        card = self.social_card()
        return absolute_url(card.url) if card else ""


class Rendition(models.Model):
    class Kind(models.TextChoices):
        WIDTH = "width", "Width"
        SOCIAL = "social", "Social card"

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="renditions")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.WIDTH)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    format = models.CharField(max_length=10)
    file = models.FileField(max_length=255)
    file_size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["kind", "width", "format"]
        constraints = [
            models.UniqueConstraint(
                fields=["image", "kind", "width", "format"], name="images_rendition_unique"
            ),
        ]

    def __str__(self):
        return f"{self.image_id} {self.kind} {self.width}w {self.format}"

    @property
    def url(self):
        return self.file.url

    @property
    def mime_type(self):
        return processing.MIME_TYPES[self.format]


@receiver(post_delete, sender=Image)
@receiver(post_delete, sender=Rendition)
def _delete_file(sender, instance, using, **kwargs):
    # Files go once the deleting transaction commits, so a rolled-back delete keeps them.
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name), using=using)
