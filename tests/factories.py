"""Plain builders for test data (no factory library): each returns a saved object."""

import datetime
import itertools

from django.utils import timezone

from articles.models import Article, Byline, Section, Status
from authors.models import Author
from tags.models import Tag

_counter = itertools.count(1)


def make_section(name=None, **fields):
    return Section.objects.create(name=name or f"Section {next(_counter)}", **fields)


def make_author(name=None, **fields):
    return Author.objects.create(name=name or f"Author {next(_counter)}", **fields)


def make_tag(name=None, **fields):
    return Tag.objects.create(name=name or f"Tag {next(_counter)}", **fields)


def make_article(headline=None, *, status=Status.PUBLISHED, published_at=None, authors=(), tags=(), **fields):
    """An article; published an hour ago unless told otherwise."""
    if status == Status.PUBLISHED and published_at is None:
        published_at = timezone.now() - datetime.timedelta(hours=1)
    fields.setdefault("body", "<p>Body text.</p>")
    article = Article.objects.create(
        headline=headline or f"Headline {next(_counter)}", status=status, published_at=published_at, **fields
    )
    for position, author in enumerate(authors):
        Byline.objects.create(article=article, author=author, position=position)
    if tags:
        article.tags.add(*tags)
    return article
