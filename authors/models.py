from django.conf import settings
from django.db import models
from django.urls import reverse

from newsroom.slugs import unique_slug


class Author(models.Model):
    """A person credited in bylines. Freelancers and wire reporters need no site login."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    bio = models.TextField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
        help_text="The site login of this author, if they have one.",
    )
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    twitter_handle = models.CharField(
        "X/Twitter handle", max_length=50, blank=True, help_text="Without the @."
    )
    bluesky_handle = models.CharField(max_length=100, blank=True, help_text="For example name.bsky.social.")
    mastodon_handle = models.CharField(
        max_length=100, blank=True, help_text="For example @name@example.social."
    )
    # Images (issue 6): the author's portrait on their page.
    photo = models.ForeignKey(
        "images.Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="author_photos"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Author, self.name, max_length=200)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("authors:detail", kwargs={"slug": self.slug})
