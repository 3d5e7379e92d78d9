import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("articles", "0001_initial"),
        ("images", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="GalleryItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "position",
                    models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first."),
                ),
                (
                    "caption",
                    models.TextField(
                        blank=True, help_text="Replaces the image's own caption here; empty: the image's."
                    ),
                ),
                (
                    "credit",
                    models.CharField(
                        blank=True,
                        help_text="Replaces the image's own credit here; empty: the image's.",
                        max_length=255,
                    ),
                ),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="gallery_items",
                        to="articles.article",
                    ),
                ),
                (
                    "image",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="gallery_items",
                        to="images.image",
                    ),
                ),
            ],
            options={
                "verbose_name": "gallery photo",
                "verbose_name_plural": "gallery",
                "ordering": ["position", "pk"],
            },
        ),
    ]
