from public.feeds import ObjectFeed
from public.paging import tag_article_ids
from tags.models import Tag


class TagFeed(ObjectFeed):
    url_name = "tags:feed"
    model = Tag

    def article_ids(self, tag):
        return tag_article_ids(tag)

    def description(self, tag):
        return tag.description or f"The latest stories about {tag.name}."


class TagAtomFeed(TagFeed):
    url_name = "tags:atom_feed"
    atom = True
