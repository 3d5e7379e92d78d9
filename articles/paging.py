"""
Paging in two steps, so page 500 costs what page 1 costs.

`ArticleIds` is what a Paginator pages over: a slice first reads the page's article ids from a query the
database answers from one index (the through table's (tag, visible_from) index for a tag; the covering
(section, published_at, ...) and (published_at, ...) indexes of Article for sections and the archive), so
skipping N rows walks N index entries and reads no article; then it fetches those ~20 articles by primary
key, through Article.objects.published() again: the one definition of "visible" has the last word.
Counting is the same index-only query, counted once per cache generation by the paginator.
"""

from django.utils import timezone

from articles.models import Article, Byline, TaggedArticle


class ArticleIds:
    def __init__(self, ids, *, now=None, articles=None):
        self.ids = ids  # an ordered values_list("...id", flat=True) queryset
        self.now = now or timezone.now()
        self.articles = articles if articles is not None else Article.objects.for_cards()

    def count(self):
        return len(self.ids) if isinstance(self.ids, list) else self.ids.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = [row[0] if isinstance(row, tuple) else row for row in self.ids[index]]
        found = self.articles.published(self.now).in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


def tag_article_ids(tag, now=None):
    return TaggedArticle.objects.visible(now).filter(tag=tag).values_list("content_object_id", flat=True)


def author_article_ids(author, now=None):
    """
    All of an author's visible article ids, newest first, as a list cached for the cache generation. Read
    from the author's bylines (index (author, article)), never by walking the archive's newest-first index
    looking for the author (the planner's choice under a LIMIT): the cost is the author's own article count,
    once per generation, and every page is then a slice. DISTINCT: one author may hold two roles on one
    article.
    """
    from articles.cache import cached_value

    def ids():
        rows = (
            Byline.objects.filter(author=author, article__in=Article.objects.published(now))
            .order_by("-article__published_at", "-article_id")
            .values_list("article_id", "article__published_at")
            .distinct()
        )
        return [row[0] for row in rows]

    return cached_value(f"author-ids:{author.pk}", ids, now=now)


def newest_ids(queryset):
    return queryset.order_by("-published_at", "-id").values_list("id", flat=True)
