"""
Paging in two steps, so page 500 costs what page 1 costs.

`ArticleIds` is what a Paginator pages over: a slice first reads the page's article ids from a query the
database answers from one index (the through table's (tag, visible_from) index for a tag; the covering
(section, published_at, ...) and (published_at, ...) indexes of Article for sections and the archive), so
skipping N rows walks N index entries and reads no article; then it fetches those ~20 articles by primary
key, through Article.objects.published() again: the one definition of "visible" has the last word.
Counting is the same index-only query, counted once per cache generation by the paginator.

List pages page over story cards (`Card`): the columns a card shows and its bylines, read with one plain
query into small read-only objects, not model instances (a page of 20 cards and their bylines was 60-odd
model instances, most of a list page's ORM time). Feeds page over full articles (`articles=`). The article
page reads its bylines and tags the same way (`credits_by_article`, `tag_links`).
"""

import datetime
import functools
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import models
from django.db.models import F, Q, Window
from django.db.models.functions import Mod, RowNumber
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Byline, TaggedArticle
from articles.related import CARD_FIELDS
from newsroom.fixed_queries import FixedQuery, Many
from public.templating import article_path, uri_slug

_ROLES = dict(Byline.Role.choices)


class CardAuthor(NamedTuple):
    name: str
    slug: str

    def get_absolute_url(self):
        from public.templating import author_path

        return author_path(self)


class Credit(NamedTuple):
    """One byline of a card; reads like a Byline (credit.author.name, credit.role, get_role_display())."""

    author: CardAuthor
    role: str

    def get_role_display(self):
        return _ROLES.get(self.role, self.role)


class Credits(list):
    """A card's bylines in order; .all() as on a related manager, so templates take cards or articles."""

    def all(self):
        return self


@dataclass(slots=True)
class Card:
    """
    What a story card shows of a visible article: headline, dek, dates and slug (its link), bylines. No
    created_at (articles.related.CARD_FIELDS): a visible article's link uses published_at or publish_at.
    """

    pk: int
    headline: str
    slug: str
    dek: str
    published_at: datetime.datetime | None
    publish_at: datetime.datetime | None
    section_id: int | None
    bylines: Credits = field(default_factory=Credits)

    def get_absolute_url(self):
        return article_path(self)


def _credit_rows(article_ids):
    return (
        Byline.objects.filter(article__pk__in=article_ids)
        .order_by("article_id", "position", "pk")
        .values_list("article_id", "author__name", "author__slug", "role")
    )


# Run by the article and home pages: compiled once per number of ids (newsroom/fixed_queries.py).
_CREDIT_ROWS = FixedQuery(_credit_rows, model=Byline, article_ids=Many(models.BigIntegerField()))


def credits_by_article(article_ids):
    """{article id: Credits}, each in byline order, with one query (articles without bylines are absent)."""
    credits = {}
    if not article_ids:
        return credits
    for article_id, name, slug, role in _CREDIT_ROWS.rows(article_ids=list(article_ids)):
        credits.setdefault(article_id, Credits()).append(Credit(CardAuthor(name, slug), role))
    return credits


class TagLink(NamedTuple):
    """A tag as an article page links it: name and slug."""

    name: str
    slug: str

    def get_absolute_url(self):
        return _tag_path(self.slug)


class SectionLink(NamedTuple):
    """A section as the home page shows it: a heading linking the section page."""

    pk: int
    name: str
    slug: str

    def get_absolute_url(self):
        from public.templating import section_url

        return section_url(self)


@functools.cache
def _tags_prefix():
    return reverse("tags:detail", kwargs={"slug": "x"}).removesuffix("x/")


def _tag_path(slug):
    return f"{_tags_prefix()}{uri_slug(slug)}/"


def _tag_link_rows(article_id):
    rows = TaggedArticle.objects.filter(content_object_id=article_id).order_by("tag__name")
    return rows.values_list("tag__name", "tag__slug")


_TAG_LINK_ROWS = FixedQuery(_tag_link_rows, model=TaggedArticle, article_id=models.BigIntegerField())


def tag_links(article_id):
    """The tags of an article, by name, with one query."""
    return [TagLink(name, slug) for name, slug in _TAG_LINK_ROWS.rows(article_id=article_id)]


_CARD_ROW_COLUMNS = (
    "pk",
    *CARD_FIELDS,
    "section_id",
    "bylines__author__name",
    "bylines__author__slug",
    "bylines__role",
)


def card_rows(articles, *order, extra=()):
    """
    A row per byline of the story cards of `articles` (a filtered queryset of Article), ordered by `order`
    and then in byline order: the articles left-joined to their bylines and authors, and then the `extra`
    columns. cards_of() reads them.
    """
    articles = articles.order_by(*order, "bylines__position", "bylines__pk")
    return articles.values_list(*_CARD_ROW_COLUMNS, *extra)


def cards_of(rows):
    """{article id: Card}, with bylines, in the order of the card_rows() rows `rows`."""
    width = 2 + len(CARD_FIELDS)
    cards = {}
    for row in rows:
        card = cards.get(row[0])
        if card is None:
            card = cards[row[0]] = Card(*row[:width])
        if row[width] is not None:  # no byline: the join found none
            card.bylines.append(Credit(CardAuthor(row[width], row[width + 1]), row[width + 2]))
    return cards


def _card_rows(ids, now):
    """The card rows of the articles among `ids` visible at `now` (published() decides), by id."""
    return card_rows(Article.objects.published(now).filter(pk__in=ids), "pk")


# Every list page runs it: compiled once per number of ids (see newsroom/fixed_queries.py).
_CARD_ROWS = FixedQuery(
    _card_rows, model=Article, ids=Many(models.BigIntegerField()), now=models.DateTimeField()
)


def load_cards(ids, *, now=None):
    """
    Cards of the articles among `ids` visible at `now` (published() decides), in the order of `ids`, with
    their bylines: one query (card_rows()).
    """
    if not ids:
        return []
    cards = cards_of(_CARD_ROWS.rows(ids=ids, now=now or timezone.now()))
    return [cards[pk] for pk in ids if pk in cards]


class ArticleIds:
    def __init__(self, ids, *, now=None, articles=None):
        self.ids = ids  # an ordered values_list("...id", flat=True) queryset
        self.now = now or timezone.now()
        self.articles = articles  # a queryset of Article to page over; None: story cards

    def count(self):
        return len(self.ids) if isinstance(self.ids, list) else self.ids.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = [row[0] if isinstance(row, tuple) else row for row in self.ids[index]]
        if self.articles is None:
            return load_cards(ids, now=self.now)
        found = self.articles.published(self.now).in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


def tag_article_ids(tag, now=None):
    return TaggedArticle.objects.visible(now).filter(tag=tag).values_list("content_object_id", flat=True)


class FixedIds:
    """
    Ordered ids as ArticleIds pages over them: a page is read through a FixedQuery (compiled once, sliced
    in SQL), the count through the queryset the same function builds (once per cache generation).

    Deep pages: OFFSET N walks N index entries (~4 ms at page 1,000 of a tag with 40,000 articles, more
    than the rest of the page). With `keys` (every KEY_STRIDE-th sort key of the ids, computed once per
    cache generation) and `from_key` (the same query starting at a sort key), a slice beyond DEEP_OFFSET
    starts at the nearest key at or before it, so page 1,000 walks what page 1 walks.
    """

    def __init__(self, query, *, from_key=None, keys=None, **values):
        self.query = query
        self.from_key = from_key
        self.keys = keys
        self.values = values

    def count(self):
        return self.query.build(**self.values).count()

    def __getitem__(self, index):
        start, stop = index.start or 0, index.stop
        if index.step is not None or start < 0 or stop is None or stop < start:
            raise ValueError("FixedIds takes slices [start:stop] with 0 <= start <= stop")
        if start > DEEP_OFFSET and self.keys is not None:
            keys = self.keys()
            at, skip = divmod(start, KEY_STRIDE)
            if at >= len(keys):
                return []  # past the end
            key = dict(zip(("visible_from", "article_id"), keys[at], strict=True))
            rows = self.from_key.rows(limit=stop - start, offset=skip, **key, **self.values)
        else:
            rows = self.query.rows(limit=stop - start, offset=start, **self.values)
        return [row[0] for row in rows]


DEEP_OFFSET = 400  # up to here OFFSET costs less than reading the sort keys would
KEY_STRIDE = 20  # one stored sort key per this many ids (a page of 20 starts exactly at one)


_TAG_IDS = FixedQuery(
    lambda tag, now: tag_article_ids(tag, now),
    model=TaggedArticle,
    tag=models.BigIntegerField(),
    now=models.DateTimeField(),
)


_TAG_IDS_FROM = FixedQuery(
    # The same ids from a sort key on: the range condition on visible_from starts the index scan there.
    lambda tag, now, visible_from, article_id: tag_article_ids(tag, now).filter(
        Q(visible_from__lt=visible_from) | Q(content_object_id__lte=article_id),
        visible_from__lte=visible_from,
    ),
    model=TaggedArticle,
    tag=models.BigIntegerField(),
    now=models.DateTimeField(),
    visible_from=models.DateTimeField(),
    article_id=models.BigIntegerField(),
)


def tag_sort_keys(tag, now=None):
    """(visible_from, article id) of every KEY_STRIDE-th id of tag_article_ids(), in order: 0, 20, 40..."""
    position = Window(RowNumber(), order_by=[F("visible_from").desc(), F("content_object_id").desc()])
    rows = (
        tag_article_ids(tag, now)
        .annotate(slot=Mod(position - 1, KEY_STRIDE))
        .filter(slot=0)
        .values_list("visible_from", "content_object_id")
    )
    return list(rows)


def tag_page_ids(tag, now):
    """A tag's visible article ids, newest first, for a tag page (tag_article_ids(), compiled once)."""
    from public.cache import cached_value

    return FixedIds(
        _TAG_IDS,
        from_key=_TAG_IDS_FROM,
        keys=lambda: cached_value(f"tag-keys:{tag.pk}", lambda: tag_sort_keys(tag, now), now=now),
        tag=tag.pk,
        now=now,
    )


def author_article_ids(author, now=None):
    """
    All of an author's visible article ids, newest first, as a list cached for the cache generation. Read
    from the author's bylines (index (author, article)), never by walking the archive's newest-first index
    looking for the author (the planner's choice under a LIMIT): the cost is the author's own article count,
    once per generation, and every page is then a slice. DISTINCT: one author may hold two roles on one
    article.
    """
    from public.cache import cached_value

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
