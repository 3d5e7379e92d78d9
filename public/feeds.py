"""
RSS 2.0 and Atom feeds of published articles (django.contrib.syndication): the latest stories here, and the
same for a tag (tags/feeds.py), an author (authors/feeds.py) and a section (SectionFeed below). Each item has
the full dek, every byline and the tags as categories; links are absolute (settings.SITE_URL).
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from articles.models import Article, Byline, Section
from public.paging import ArticleIds, newest_ids
from public.structured_data import absolute

FEED_SIZE = 30
ITEM_FIELDS = ("pk", "headline", "slug", "dek", "published_at", "publish_at", "created_at", "updated_at")


class ArticleFeed(Feed):
    """What every article feed shares; subclasses say which articles (`article_ids`) and the titles."""

    description_template = None

    def article_ids(self, obj):
        """The ids of the feed's articles, newest first (see public/paging.py)."""
        return newest_ids(Article.objects.published())

    def items(self, obj):
        # An item shows the dek, never the body: the body is not even read (a feed is 30 articles).
        articles = (
            Article.objects.only(*ITEM_FIELDS)
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
            .with_tags()
        )
        return ArticleIds(self.article_ids(obj), articles=articles)[:FEED_SIZE]

    url_name = None  # the feed's own URL name, for its absolute self link

    def feed_url(self, obj):
        return absolute(reverse(self.url_name, kwargs={"slug": obj.slug} if obj is not None else None))

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        return item.dek

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_guid(self, item):
        return absolute(item.get_absolute_url())

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
        return absolute(bylines[0].author.get_absolute_url()) if len(bylines) == 1 else None

    def item_categories(self, item):
        return [tagged.tag.name for tagged in item.tagged_items.all()]

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
