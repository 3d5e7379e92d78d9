"""
Page-cache purges, connected in PublicConfig.ready(): every change to what public pages show forgets the
cached pages (public/cache.py): saves and deletes of articles, bylines, pins, sections, authors, tags and
slug history (every workflow transition saves its article), fetched embeds (an embed fetched after its
article or live update was saved turns a link into a placeholder), tag and byline changes, and the importer's
bulk writes (articles.signals). A publish or unpublish also enqueues a later purge, for read replicas
(public/tasks.py).
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.tasks import task_backends
from django.utils import timezone

from articles.models import Article, ArticleSlugHistory, Byline, RelatedPin, Section, TaggedArticle
from articles.signals import article_published, article_unpublished, articles_bulk_changed
from authors.models import Author
from embeds.models import Embed
from public import cache
from public.tasks import purge_pages
from tags.models import Tag

for model in (Article, Byline, RelatedPin, Section, TaggedArticle, Author, Tag, ArticleSlugHistory, Embed):
    post_save.connect(cache.purge, sender=model, dispatch_uid=f"public-pages-purge-save-{model.__name__}")
    post_delete.connect(cache.purge, sender=model, dispatch_uid=f"public-pages-purge-delete-{model.__name__}")
m2m_changed.connect(cache.purge, sender=TaggedArticle, dispatch_uid="public-pages-purge-tags")
m2m_changed.connect(cache.purge, sender=Byline, dispatch_uid="public-pages-purge-bylines")
articles_bulk_changed.connect(cache.purge, dispatch_uid="public-pages-purge-bulk")


def purge_after_replicas_caught_up(sender, **kwargs):
    delay = settings.PAGE_PURGE_REPLICA_DELAY
    if delay <= 0 or not task_backends[purge_pages.backend].supports_defer:
        return
    run_after = timezone.now() + timedelta(seconds=delay)
    transaction.on_commit(lambda: purge_pages.using(run_after=run_after).enqueue())


article_published.connect(
    purge_after_replicas_caught_up, dispatch_uid="public-pages-purge-replicas-published"
)
article_unpublished.connect(
    purge_after_replicas_caught_up, dispatch_uid="public-pages-purge-replicas-unpublished"
)
