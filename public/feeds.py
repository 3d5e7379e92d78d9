"""
RSS 2.0 and Atom feeds of published articles: the latest stories here, and the same for a tag
(tags/feeds.py), an author (authors/feeds.py) and a section (SectionFeed below). Each item has the full dek,
every byline and the tags as categories; links are absolute (settings.SITE_URL).

The XML is written by rss_document() / atom_document() below, element for element what
django.contrib.syndication's Rss201rev2Feed and Atom1Feed write (same elements, order, escaping and
dates): the framework's per-item attribute look-ups and SAX writer were most of an uncached feed's CPU.
"""

import datetime
import re
from dataclasses import dataclass, field
from email.utils import format_datetime as email_date
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.db import models
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.utils.html import escape as escape_html
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.xmlutils import UnserializableContentError

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


@dataclass(slots=True)
class Channel:
    """What a feed says about itself."""

    title: str
    link: str
    description: str
    feed_url: str
    language: str
    rights: str


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0B\x0C\x0E-\x1F]")  # not allowed in XML 1.0
_DC = 'xmlns:dc="http://purl.org/dc/elements/1.1/"'


def _element(name, text, attributes=""):
    if _CONTROL_CHARS.search(text):
        raise UnserializableContentError("Control characters are not supported in XML 1.0")
    return f"<{name}{attributes}>{escape(text)}</{name}>" if text else f"<{name}{attributes}/>"


def plain_text_as_html(text):
    # Readers take an RSS description and an Atom summary (type="html") as HTML; the dek is plain text.
    return escape_html(text)


def author_names(item):
    """The bylines as one name ("A, B and C"), or None."""
    names = [byline.author.name for byline in item.bylines]
    if len(names) > 1:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return names[0] if names else None


def _author_link(item):
    return absolute(author_path(item.bylines[0].author)) if len(item.bylines) == 1 else None


def _updated(item):
    return item.updated_at or item.published_at


def latest_date(items):
    """The newest date of any item (published or updated), else now: the feed's own date."""
    dates = [date for item in items for date in (_updated(item), item.published_at) if date]
    return max(dates) if dates else datetime.datetime.now(tz=datetime.UTC)


def rss_document(channel, items):
    """RSS 2.0, as django.utils.feedgenerator.Rss201rev2Feed writes it."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>',
        _element("title", channel.title),
        _element("link", iri_to_uri(channel.link)),
        _element("description", channel.description),
        f'<atom:link href={quoteattr(iri_to_uri(channel.feed_url))} rel="self"/>',
        _element("language", channel.language),
        _element("copyright", channel.rights),
        _element("lastBuildDate", email_date(latest_date(items))),
    ]
    for item in items:
        url = iri_to_uri(item.url)
        parts.append("<item>")
        parts.append(_element("title", item.headline))
        parts.append(_element("link", url))
        parts.append(_element("description", plain_text_as_html(item.dek)))
        if (author := author_names(item)) is not None:
            parts.append(_element("dc:creator", author, " " + _DC))
        if item.published_at:
            parts.append(_element("pubDate", email_date(item.published_at)))
        parts.append(_element("guid", url))
        parts.extend(_element("category", name) for name in item.tag_names)
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts)


def atom_document(channel, items):
    """Atom 1.0, as django.utils.feedgenerator.Atom1Feed writes it."""
    link = iri_to_uri(channel.link)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xml:lang={quoteattr(channel.language)} xmlns="http://www.w3.org/2005/Atom">',
        _element("title", channel.title),
        f'<link href={quoteattr(link)} rel="alternate"/>',
        f'<link href={quoteattr(iri_to_uri(channel.feed_url))} rel="self"/>',
        _element("id", link),
        _element("updated", latest_date(items).isoformat()),
        _element("subtitle", channel.description),
        _element("rights", channel.rights),
    ]
    for item in items:
        url = iri_to_uri(item.url)
        parts.append("<entry>")
        parts.append(_element("title", item.headline))
        parts.append(f'<link href={quoteattr(url)} rel="alternate"/>')
        if item.published_at:
            parts.append(_element("published", item.published_at.isoformat()))
        if updated := _updated(item):
            parts.append(_element("updated", updated.isoformat()))
        if (author := author_names(item)) is not None:
            parts.append("<author>" + _element("name", author))
            if author_link := _author_link(item):
                parts.append(_element("uri", author_link))
            parts.append("</author>")
        parts.append(_element("id", url))
        parts.append(_element("summary", plain_text_as_html(item.dek), ' type="html"'))
        parts.extend(f"<category term={quoteattr(name)}/>" for name in item.tag_names)
        parts.append("</entry>")
    parts.append("</feed>")
    return "".join(parts)


class ArticleFeed:
    """
    A feed view; subclasses say which articles (`article_ids`), the titles and `atom`. The object of a
    section, tag or author feed is read by ObjectFeed.get_object (404 if none).
    """

    atom = False
    url_name = None  # the feed's own URL name, for its absolute self link

    def __call__(self, request, **kwargs):
        obj = self.get_object(request, **kwargs)
        ids = [row[0] if isinstance(row, tuple) else row for row in self.article_ids(obj)[:FEED_SIZE]]
        items = feed_items(ids)
        channel = Channel(
            title=self.title(obj),
            link=self.link(obj),
            description=self.description(obj),
            feed_url=self.feed_url(obj),
            language=get_language(),
            rights=settings.SITE_NAME,
        )
        document = (atom_document if self.atom else rss_document)(channel, items)
        kind = "atom" if self.atom else "rss"
        response = HttpResponse(document, content_type=f"application/{kind}+xml; charset=utf-8")
        response.headers["Last-Modified"] = http_date(latest_date(items).timestamp())
        return response

    def get_object(self, request, **kwargs):
        return None

    def article_ids(self, obj):
        """The ids of the feed's articles, newest first (see public/paging.py)."""
        return newest_ids(Article.objects.published())

    def feed_url(self, obj):
        return absolute(reverse(self.url_name, kwargs={"slug": obj.slug} if obj is not None else None))


class LatestFeed(ArticleFeed):
    url_name = "feeds:latest"

    def title(self, obj):
        return settings.SITE_NAME

    def link(self, obj):
        return settings.SITE_URL + "/"

    def description(self, obj):
        return "The latest stories."


class LatestAtomFeed(LatestFeed):
    url_name = "feeds:latest_atom"
    atom = True


class ObjectFeed(ArticleFeed):
    """The feed of one section, tag or author: subclasses name the model, its articles and a description."""

    model = None

    def get_object(self, request, slug):
        return get_object_or_404(self.model, slug=slug)

    def title(self, obj):
        return f"{obj} – {settings.SITE_NAME}"

    def link(self, obj):
        return absolute(obj.get_absolute_url())


class SectionFeed(ObjectFeed):
    url_name = "articles:section_feed"
    model = Section

    def article_ids(self, section):
        return newest_ids(Article.objects.published().filter(section=section))

    def description(self, section):
        return section.description or f"The latest stories in {section.name}."


class SectionAtomFeed(SectionFeed):
    url_name = "articles:section_atom_feed"
    atom = True
