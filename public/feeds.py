"""
RSS 2.0 and Atom feeds of published articles (django.contrib.syndication): the latest stories here, and the
same for a tag (tags/feeds.py), an author (authors/feeds.py) and a section (SectionFeed below). Each item has
the full dek, every byline and the tags as categories; links are absolute (settings.SITE_URL).
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.http import http_date

from articles.models import Article, Section, TaggedArticle
from newsroom.fixed_queries import FixedQuery, Many
from public.paging import Credits, credits_by_article, newest_ids
from public.structured_data import absolute
from public.templating import article_path, author_path

FEED_SIZE = 30
ITEM_FIELDS = ("pk", "headline", "slug", "dek", "published_at", "publish_at", "created_at", "updated_at")


@dataclass(slots=True)
class FeedItem:
    """What an item shows of a visible article: never its body. Plain rows, not model instances."""

    pk: int
    headline: str
    slug: str
    dek: str
    published_at: datetime.datetime | None
    publish_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime | None
    bylines: Credits = field(default_factory=Credits)
    tag_names: list = field(default_factory=list)

    @property
    def url(self):
        return absolute(article_path(self))


def _item_rows(ids, now):
    return Article.objects.published(now).filter(pk__in=ids).values_list(*ITEM_FIELDS)


def _tag_name_rows(ids):
    rows = TaggedArticle.objects.filter(content_object__pk__in=ids).order_by("tag__name")
    return rows.values_list("content_object_id", "tag__name")


# Compiled once per number of ids (newsroom/fixed_queries.py), like the list pages' queries.
_ITEM_ROWS = FixedQuery(
    _item_rows, model=Article, ids=Many(models.BigIntegerField()), now=models.DateTimeField()
)
_TAG_NAME_ROWS = FixedQuery(_tag_name_rows, model=TaggedArticle, ids=Many(models.BigIntegerField()))


def feed_items(ids, *, now=None):
    """The FeedItems of the articles among `ids` visible now, in the order of `ids`: three queries."""
    if not ids:
        return []
    items = {row[0]: FeedItem(*row) for row in _ITEM_ROWS.rows(ids=ids, now=now or timezone.now())}
    for article_id, credits in credits_by_article(list(items)).items():
        items[article_id].bylines = credits
    for article_id, name in _TAG_NAME_ROWS.rows(ids=list(items)):
        items[article_id].tag_names.append(name)
    return [items[pk] for pk in ids if pk in items]


class ArticleFeed(Feed):
    """What every article feed shares; subclasses say which articles (`article_ids`) and the titles."""

    description_template = None

    def __call__(self, request, *args, **kwargs):
        # Feed.__call__, but the XML is written to a string and set once: writing it into the response
        # piece by piece (thousands of response.write() calls) was a fifth of a feed's time.
        try:
            obj = self.get_object(request, *args, **kwargs)
        except ObjectDoesNotExist:
            raise Http404("Feed object does not exist.") from None
        feedgen = self.get_feed(obj, request)
        response = HttpResponse(feedgen.writeString("utf-8"), content_type=feedgen.content_type)
        response.headers["Last-Modified"] = http_date(feedgen.latest_post_date().timestamp())
        return response

    def article_ids(self, obj):
        """The ids of the feed's articles, newest first (see public/paging.py)."""
        return newest_ids(Article.objects.published())

    def items(self, obj):
        ids = [row[0] if isinstance(row, tuple) else row for row in self.article_ids(obj)[:FEED_SIZE]]
        return feed_items(ids)

    url_name = None  # the feed's own URL name, for its absolute self link

    def feed_url(self, obj):
        return absolute(reverse(self.url_name, kwargs={"slug": obj.slug} if obj is not None else None))

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        # Readers take an RSS description and an Atom summary (type="html") as HTML; the dek is plain text.
        return escape(item.dek)

    def item_link(self, item):
        return item.url

    def item_guid(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at or item.published_at

    def item_author_name(self, item):
        names = [byline.author.name for byline in item.bylines.all()]
        if len(names) > 1:
            return ", ".join(names[:-1]) + " and " + names[-1]
        return names[0] if names else None

    def item_author_link(self, item):
        bylines = item.bylines.all()
        return absolute(author_path(bylines[0].author)) if len(bylines) == 1 else None

    def item_categories(self, item):
        return item.tag_names

    def feed_copyright(self):
        return settings.SITE_NAME


class LatestFeed(ArticleFeed):
    url_name = "feeds:latest"
    description = "The latest stories."

    def title(self):
        return settings.SITE_NAME

    def link(self):
        return settings.SITE_URL + "/"


class LatestAtomFeed(LatestFeed):
    url_name = "feeds:latest_atom"
    feed_type = Atom1Feed
    subtitle = LatestFeed.description


class ObjectFeed(ArticleFeed):
    """The feed of one section, tag or author: subclasses name the model, its articles and a description."""

    model = None

    def get_object(self, request, slug):
        return get_object_or_404(self.model, slug=slug)

    def title(self, obj):
        return f"{obj} – {settings.SITE_NAME}"

    def link(self, obj):
        return absolute(obj.get_absolute_url())

    def subtitle(self, obj):  # Atom's name for the description (RSS ignores it)
        return self.description(obj)


class SectionFeed(ObjectFeed):
    url_name = "articles:section_feed"
    model = Section

    def article_ids(self, section):
        return newest_ids(Article.objects.published().filter(section=section))

    def description(self, section):
        return section.description or f"The latest stories in {section.name}."


class SectionAtomFeed(SectionFeed):
    url_name = "articles:section_atom_feed"
    feed_type = Atom1Feed
