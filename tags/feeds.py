from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from articles.feeds import ArticleFeed
from articles.paging import tag_article_ids
from articles.structured_data import absolute
from tags.models import Tag


class TagFeed(ArticleFeed):
    url_name = "tags:feed"

    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def article_ids(self, tag):
        return tag_article_ids(tag)

    def title(self, tag):
        return f"{tag.name} – {settings.SITE_NAME}"

    def link(self, tag):
        return absolute(tag.get_absolute_url())

    def description(self, tag):
        return tag.description or f"The latest stories about {tag.name}."


class TagAtomFeed(TagFeed):
    url_name = "tags:atom_feed"
    feed_type = Atom1Feed

    def subtitle(self, tag):
        return self.description(tag)
