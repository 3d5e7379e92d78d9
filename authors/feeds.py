from authors.models import Author
from public.feeds import ObjectFeed
from public.paging import author_article_ids


class AuthorFeed(ObjectFeed):
    url_name = "authors:feed"
    model = Author

    def article_ids(self, author):
        return author_article_ids(author)

    def description(self, author):
        return author.bio or f"The latest stories by {author.name}."


class AuthorAtomFeed(AuthorFeed):
    url_name = "authors:atom_feed"
    atom = True
