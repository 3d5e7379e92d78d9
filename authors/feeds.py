from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from articles.feeds import ArticleFeed
from articles.paging import author_article_ids
from articles.structured_data import absolute
from authors.models import Author


class AuthorFeed(ArticleFeed):
    url_name = "authors:feed"

    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def article_ids(self, author):
        return author_article_ids(author)

    def title(self, author):
        return f"{author.name} – {settings.SITE_NAME}"

    def link(self, author):
        return absolute(author.get_absolute_url())

    def description(self, author):
        return author.bio or f"The latest stories by {author.name}."


class AuthorAtomFeed(AuthorFeed):
    url_name = "authors:atom_feed"
    feed_type = Atom1Feed

    def subtitle(self, author):
        return self.description(author)
