from django.utils.feedgenerator import Atom1Feed

from articles.feeds import ObjectFeed
from articles.paging import author_article_ids
from authors.models import Author


class AuthorFeed(ObjectFeed):
    url_name = "authors:feed"
    model = Author

    def article_ids(self, author):
        return author_article_ids(author)

    def description(self, author):
        return author.bio or f"The latest stories by {author.name}."


class AuthorAtomFeed(AuthorFeed):
    url_name = "authors:atom_feed"
    feed_type = Atom1Feed
