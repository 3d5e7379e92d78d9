import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Embed",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("url", models.CharField(max_length=1000, unique=True, verbose_name="URL")),
                (
                    "provider",
                    models.CharField(help_text="embeds.providers name: youtube, vimeo, …", max_length=30),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("ok", "Fetched"), ("failed", "Failed")], default="ok", max_length=10
                    ),
                ),
                ("title", models.CharField(blank=True, max_length=500)),
                ("author_name", models.CharField(blank=True, max_length=255)),
                ("html", models.TextField(blank=True)),
                (
                    "frame_url",
                    models.CharField(
                        blank=True,
                        help_text="On the provider's allowed frame host (https).",
                        max_length=1000,
                        verbose_name="iframe URL",
                    ),
                ),
                ("width", models.PositiveIntegerField(blank=True, null=True)),
                ("height", models.PositiveIntegerField(blank=True, null=True)),
                (
                    "error",
                    models.CharField(blank=True, help_text="Why the last fetch failed.", max_length=500),
                ),
                ("fetched_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={"ordering": ["-fetched_at", "-pk"]},
        ),
    ]
