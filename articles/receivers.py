"""
Model signal receivers of the article itself, connected in ArticlesConfig.ready(): a published article
whose slug changes keeps its old slug in ArticleSlugHistory, so the old URL answers 301 forever.
"""

from django.db.models.signals import pre_save
from django.dispatch import receiver

from articles.models import Article, ArticleSlugHistory


@receiver(pre_save, sender=Article, dispatch_uid="public-pages-slug-history")
def remember_old_slug(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    old = (
        Article.objects.filter(pk=instance.pk)
        .only("slug", "status", "published_at", "publish_at", "unpublish_at", "legal_hold")
        .first()
    )
    if old is None or not instance.slug or old.slug == instance.slug or not old.is_published():
        return  # a slug that had no public URL needs no redirect
    ArticleSlugHistory.objects.filter(slug=instance.slug).delete()  # the slug is current again
    ArticleSlugHistory.objects.update_or_create(slug=old.slug, defaults={"article": instance})
