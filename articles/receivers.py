"""
Model signal receivers of the article itself, connected in ArticlesConfig.ready(): an article whose slug
changes after it has had a public URL (it is live, or was until unpublished) keeps its old slug in
ArticleSlugHistory, so the old URL answers 301 forever (again from the moment it is republished).
"""

from django.db.models.signals import pre_save
from django.dispatch import receiver

from articles.models import Article, ArticleSlugHistory, Status


def had_public_url(article):
    if article.is_published():
        return True
    return article.status == Status.UNPUBLISHED and article.published_at is not None


@receiver(pre_save, sender=Article, dispatch_uid="public-pages-slug-history")
def remember_old_slug(sender, instance, raw=False, **kwargs):
    instance._before_save = None
    if raw or instance.pk is None:
        return
    old = (
        Article.objects.filter(pk=instance.pk)
        .only("slug", "status", "published_at", "publish_at", "unpublish_at", "legal_hold", "created_at")
        .first()
    )
    # The row as it was, for other apps' post_save receivers (redirects: did the URL change?).
    instance._before_save = old
    if old is None or not instance.slug or old.slug == instance.slug or not had_public_url(old):
        return  # a slug that had no public URL needs no redirect
    ArticleSlugHistory.objects.filter(slug=instance.slug).delete()  # the slug is current again
    ArticleSlugHistory.objects.update_or_create(slug=old.slug, defaults={"article": instance})
