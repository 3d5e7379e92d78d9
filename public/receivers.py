"""
Page-cache purges, connected in PublicConfig.ready(): every change to what public pages show forgets the
cached pages (public/cache.py): saves and deletes of articles, bylines, pins, sections, authors, tags and
slug history (every workflow transition saves its article), tag and byline changes, and the importer's
bulk writes (articles.signals).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from articles.models import Article, ArticleSlugHistory, Byline, RelatedPin, Section, TaggedArticle
from articles.signals import articles_bulk_changed
from authors.models import Author
from public import cache
from tags.models import Tag

for model in (Article, Byline, RelatedPin, Section, TaggedArticle, Author, Tag, ArticleSlugHistory):
    post_save.connect(cache.purge, sender=model, dispatch_uid=f"public-pages-purge-save-{model.__name__}")
    post_delete.connect(cache.purge, sender=model, dispatch_uid=f"public-pages-purge-delete-{model.__name__}")
m2m_changed.connect(cache.purge, sender=TaggedArticle, dispatch_uid="public-pages-purge-tags")
m2m_changed.connect(cache.purge, sender=Byline, dispatch_uid="public-pages-purge-bylines")
articles_bulk_changed.connect(cache.purge, dispatch_uid="public-pages-purge-bulk")
