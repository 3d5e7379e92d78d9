"""
Model signal receivers of the public site, connected in ArticlesConfig.ready():

- every change to what public pages show purges the page cache (articles/cache.py);
- a published article whose slug changes keeps its old slug in ArticleSlugHistory, so the old URL answers
  301 forever.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from articles import cache
from articles.models import Article, ArticleSlugHistory, Byline, RelatedPin, Section, TaggedArticle
from authors.models import Author
from tags.models import Tag

for model in (Article, Byline, RelatedPin, Section, TaggedArticle, Author, Tag, ArticleSlugHistory):
    post_save.connect(cache.purge, sender=model, dispatch_uid=f"public-pages-purge-save-{model.__name__}")
    post_delete.connect(cache.purge, sender=model, dispatch_uid=f"public-pages-purge-delete-{model.__name__}")
m2m_changed.connect(cache.purge, sender=TaggedArticle, dispatch_uid="public-pages-purge-tags")
m2m_changed.connect(cache.purge, sender=Byline, dispatch_uid="public-pages-purge-bylines")


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
