"""
Managed redirects: an old path of the site answers 301/302 with a new address, or 410 Gone. They are
looked up only when nothing else answers the path (redirects/middleware.py), so they cost ordinary pages
nothing. Saving one collapses chains (A→B and B→C make A→C) and refuses loops (A→B with B→A).

Articles and tags keep their own, object-bound redirects (articles.ArticleSlugHistory, tags.TagRedirect):
those follow their object to wherever it is now, which a stored path cannot (docs/desk.md).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

MAX_HOPS = 50


def normalize_path(value):
    """A site path as stored: stripped, starting with "/", without the query string or fragment."""
    value = (value or "").strip()
    return value.split("#", 1)[0].split("?", 1)[0] if value.startswith("/") else value


def is_url(value):
    return value.startswith(("http://", "https://"))


class RedirectQuerySet(models.QuerySet):
    def for_path(self, path):
        """The redirect of `path`, trying it with and without its trailing slash (exact match first)."""
        other = path[:-1] if path.endswith("/") and len(path) > 1 else path + "/"
        matches = {r.old_path: r for r in self.filter(old_path__in=[path, other])}
        return matches.get(path) or matches.get(other)

    def count_hit(self, pk, now=None):
        """One UPDATE: concurrent hits each count (no read-modify-write)."""
        return self.filter(pk=pk).update(hit_count=F("hit_count") + 1, last_hit=now or timezone.now())


class Redirect(models.Model):
    class Kind(models.IntegerChoices):
        MOVED_PERMANENTLY = 301, "301 moved permanently"
        FOUND = 302, "302 found (temporary)"
        GONE = 410, "410 gone"

    old_path = models.CharField(
        max_length=500, unique=True, help_text="A path on this site, e.g. /2019/old-story.html (no domain)."
    )
    new_path = models.CharField(
        max_length=500,
        blank=True,
        help_text="Where it goes: a path on this site or a full http(s) URL; empty for 410 gone.",
    )
    status = models.PositiveSmallIntegerField(choices=Kind, default=Kind.MOVED_PERMANENTLY)
    hit_count = models.PositiveIntegerField(default=0, editable=False)
    last_hit = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    note = models.CharField(max_length=500, blank=True, help_text="Why it exists (for the desk).")

    objects = RedirectQuerySet.as_manager()

    class Meta:
        ordering = ["old_path"]

    def __str__(self):
        return f"{self.old_path} → {self.new_path or self.status}"

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if self.status != self.Kind.GONE:
                self.new_path = final_target(self.new_path, Redirect.objects.exclude(pk=self.pk))
            super().save(*args, **kwargs)
            if self.status != self.Kind.GONE:
                # Redirects that ended here now go straight on (no chain of hops for readers or robots).
                Redirect.objects.filter(new_path=self.old_path).exclude(pk=self.pk).update(
                    new_path=self.new_path
                )

    def clean(self):
        self.old_path = normalize_path(self.old_path)
        self.new_path = (self.new_path or "").strip()
        errors = problems(
            self.old_path, self.new_path, self.status, existing=Redirect.objects.exclude(pk=self.pk)
        )
        if errors:
            raise ValidationError(errors)


def final_target(path, existing):
    """Where `path` ends up after following the existing redirects (itself if none starts there)."""
    seen = set()
    while path and not is_url(path) and path not in seen and len(seen) < MAX_HOPS:
        seen.add(path)
        hop = (
            existing.filter(old_path=path)
            .exclude(status=Redirect.Kind.GONE)
            .values_list("new_path", flat=True)
        )
        hop = next(iter(hop), None)
        if hop is None:
            break
        path = hop
    return path


def problems(old_path, new_path, status, *, existing, pending=None):
    """
    What is wrong with a redirect old_path → new_path (status), as {field: message}; empty if nothing.
    `existing` are the stored redirects it joins; `pending` ({old: new}) those of the same import.
    """
    errors = {}
    if not old_path.startswith("/"):
        errors["old_path"] = f"“{old_path}” is not a path on this site: it must start with “/”."
    if status not in Redirect.Kind.values:
        allowed = ", ".join(str(v) for v in Redirect.Kind.values)
        errors["status"] = f"“{status}” is not a redirect status: use {allowed}."
        return errors
    if status == Redirect.Kind.GONE:
        if new_path:
            errors["new_path"] = "A 410 gone redirect has no new path: leave it empty."
        return errors
    if not new_path:
        errors["new_path"] = f"A {status} redirect needs a new path."
    elif not (new_path.startswith("/") or is_url(new_path)):
        errors["new_path"] = f"“{new_path}” is neither a path on this site (“/…”) nor an http(s) URL."
    elif normalize_path(new_path) == old_path:
        errors["new_path"] = "The new path is the old path: the redirect would loop."
    if errors:
        return errors
    # Follow where the new path leads (stored redirects and this import's rows): back here is a loop.
    targets = dict(pending or {})
    path, seen = new_path, {old_path}
    while path and not is_url(path) and len(seen) < MAX_HOPS:
        if path in seen:
            errors["new_path"] = f"Loop: {old_path} → {new_path} leads back to {old_path}."
            break
        seen.add(path)
        nxt = targets.get(path)
        if nxt is None:
            nxt = next(
                iter(
                    existing.filter(old_path=path)
                    .exclude(status=Redirect.Kind.GONE)
                    .values_list("new_path", flat=True)
                ),
                None,
            )
        if nxt is None:
            break
        path = nxt
    return errors
