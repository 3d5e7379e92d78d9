"""Personal API tokens: the key is shown once at creation; only its sha256 is stored."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class Scope(models.TextChoices):
    READ_DRAFTS = "read:drafts", "Read drafts"
    WRITE_DRAFTS = "write:drafts", "Write drafts"
    PUBLISH = "publish", "Publish (still only what the user's role allows)"


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


class TokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class Token(models.Model):
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “wire ingest”.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False, help_text="The key's first characters.")
    scopes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = TokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user, *, name, scopes=(), expires_at=None):
        """A new token and its key; the key is not stored and cannot be shown again."""
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=hash_key(key),
            prefix=key[:8],
            scopes=sorted(set(scopes)),
            expires_at=expires_at,
        )
        return token, key

    def has_scope(self, scope):
        return scope in self.scopes
