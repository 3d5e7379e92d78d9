"""
ArticleSerializer's JSON built from plain rows, for the API's article reads (list, detail, by slug).

A page of 20 articles through ModelSerializer made ~60 model instances, taggit's manager per article and
a serializer field call per value: 28 ms of CPU, 30 times the floor (bench/RESULTS.md, "Content API").
Here the articles, bylines and tags are three queries compiled once (newsroom/fixed_queries.py) and the
dicts are written directly. ArticleSerializer stays the definition (schema, write responses, webhooks);
tests/api/test_rows.py asserts that both give the same JSON for the same articles.
"""

import datetime
from typing import NamedTuple

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone

from api.serializers import ImageSerializer
from articles.models import Article, Byline, TaggedArticle
from images.models import Image
from newsroom.fixed_queries import FixedQuery, Many
from newsroom.links import absolute_url
from public.templating import article_path


class ArticleRow(NamedTuple):
    """An article's columns as the API shows them; article_path() reads its slug and dates."""

    pk: int
    headline: str
    slug: str
    dek: str
    body: str
    status: str
    section_id: int | None
    lead_image_id: int | None
    published_at: datetime.datetime | None
    publish_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime | None
    version: int
    # The section's columns by a join: the list's sections without a query of their own.
    section_name: str | None
    section_slug: str | None
    section_description: str | None


ROW_COLUMNS = (*ArticleRow._fields[:-3], "section__name", "section__slug", "section__description")
# The list leaves the body out unless asked (`?fields=body`): it was 90% of a page's bytes and its JSON.
NO_BODY = models.Value("", output_field=models.TextField())
SUMMARY_COLUMNS = tuple(NO_BODY if column == "body" else column for column in ROW_COLUMNS)


def article_rows(queryset, *, body=True):
    """`queryset`'s articles as the tuples of ArticleRow, for a paginator to slice (the API's list)."""
    return queryset.values_list(*(ROW_COLUMNS if body else SUMMARY_COLUMNS))


def _article_rows(ids):
    return article_rows(Article.objects.filter(pk__in=ids))


def _byline_rows(ids):
    return (
        Byline.objects.filter(article__pk__in=ids)
        .order_by("article_id", "position", "pk")
        .values_list("article_id", "author_id", "author__name", "author__slug", "role")
    )


def _tag_rows(ids):
    # The order of Article.objects.with_tags(), which ArticleSerializer reads.
    return (
        TaggedArticle.objects.filter(content_object__pk__in=ids)
        .order_by("tag__name")
        .values_list("content_object_id", "tag__name", "tag__slug")
    )


_ARTICLE_ROWS = FixedQuery(_article_rows, model=Article, ids=Many(models.BigIntegerField()))
_BYLINE_ROWS = FixedQuery(_byline_rows, model=Byline, ids=Many(models.BigIntegerField()))
_TAG_ROWS = FixedQuery(_tag_rows, model=TaggedArticle, ids=Many(models.BigIntegerField()))


def _datetime(value, zone):
    """DRF's DateTimeField.to_representation() of an aware datetime: ISO 8601 in `zone`, UTC as "Z"."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def articles_json(ids):
    """ArticleSerializer(...).data of the articles `ids`, in that order; four queries at most."""
    if not ids:
        return []
    rows = {row[0]: row for row in _ARTICLE_ROWS.rows(ids=list(ids))}
    return rows_json([rows[pk] for pk in ids if pk in rows])


def rows_json(rows, *, body=True):
    """
    ArticleSerializer(...).data of articles from their article_rows() tuples, in their order; without
    `body`, ArticleSummarySerializer's (the same but the body).
    """
    if not rows:
        return []
    rows = [ArticleRow(*row) for row in rows]
    ids = [row.pk for row in rows]
    authors, tags = {}, {}
    for article_id, author_id, name, slug, role in _BYLINE_ROWS.rows(ids=list(ids)):
        authors.setdefault(article_id, []).append({"id": author_id, "name": name, "slug": slug, "role": role})
    for article_id, name, slug in _TAG_ROWS.rows(ids=list(ids)):
        tags.setdefault(article_id, []).append({"name": name, "slug": slug})
    image_ids = {row.lead_image_id for row in rows if row.lead_image_id is not None}
    images = {}
    if image_ids:  # rare on a list page; the serializer itself, since renditions need their storage's URLs
        found = Image.objects.filter(pk__in=image_ids).prefetch_related("renditions")
        images = {image.pk: ImageSerializer(image).data for image in found}
    zone = timezone.get_current_timezone()  # the serializer's
    documents = []
    for row in rows:
        path = article_path(row)
        section = None
        if row.section_id is not None:
            section = {
                "id": row.section_id,
                "name": row.section_name,
                "slug": row.section_slug,
                "description": row.section_description,
            }
        document = {
            "id": row.pk,
            "headline": row.headline,
            "slug": row.slug,
            "dek": row.dek,
            "body": row.body,
            "status": row.status,
            "section": section,
            "authors": authors.get(row.pk, []),
            "tags": tags.get(row.pk, []),
            "lead_image": images.get(row.lead_image_id),
            "published_at": _datetime(row.published_at, zone),
            "updated_at": _datetime(row.updated_at, zone),
            "version": row.version,
            "url": absolute_url(path),
        }
        if not body:
            del document["body"]
        documents.append(document)
    return documents


# --- the list's pages ------------------------------------------------------------------------------------

LIST_FILTERS = ("section", "tag", "author", "updated_since")


def filtered(articles, section=None, tag=None, author=None, updated_since=None):
    """`articles` filtered as `GET /api/v1/articles/` documents its parameters."""
    if section is not None:
        articles = articles.filter(section__slug=section)
    # Subqueries, not joins: no duplicate rows, so no DISTINCT over every column.
    if tag is not None:
        articles = articles.filter(
            Exists(TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag__slug=tag))
        )
    if author is not None:
        articles = articles.filter(Exists(Byline.objects.filter(article=OuterRef("pk"), author__slug=author)))
    if updated_since is not None:
        articles = articles.filter(modified_at__gte=updated_since)
    return articles


_FILTER_FIELDS = {
    "section": models.CharField(),
    "tag": models.CharField(),
    "author": models.CharField(),
    "updated_since": models.DateTimeField(),
}
_PAGE_QUERIES = {}


def _page_query(filters, ordering, bound, body):
    """The FixedQuery of one shape: the filters given, the ordering, the cursor's bound if any, the body."""
    key = (filters, ordering, bound, body)
    query = _PAGE_QUERIES.get(key)
    if query is None:

        def build(now, position=None, **values):
            articles = filtered(Article.objects.published(now), **values).order_by(ordering)
            if bound is not None:
                articles = articles.filter(**{f"id__{bound}": position})
            return article_rows(articles, body=body)

        params = {"now": models.DateTimeField(), **{name: _FILTER_FIELDS[name] for name in filters}}
        if bound is not None:
            params["position"] = models.BigIntegerField()
        query = _PAGE_QUERIES.setdefault(key, FixedQuery(build, model=Article, **params))
    return query


class PublishedPage:
    """
    The published articles, filtered(), for DRF's CursorPagination, which orders them by the id, bounds
    them by the cursor's id and slices them: each shape is a FixedQuery compiled once (building and
    compiling the query cost an anonymous list page more CPU than the rest of it). Rows: article_rows().
    """

    def __init__(self, now, filters, *, body=True, ordering="-id", bound=None, position=None):
        self.now, self.filters, self.body = now, filters, body
        self.ordering, self.bound, self.position = ordering, bound, position

    def _with(self, **changes):
        state = dict(body=self.body, ordering=self.ordering, bound=self.bound, position=self.position)
        return PublishedPage(self.now, self.filters, **(state | changes))

    def order_by(self, ordering):
        if ordering not in ("id", "-id"):
            raise ValueError(f"PublishedPage orders by the id only, not {ordering!r}")
        return self._with(ordering=ordering)

    def filter(self, **bound):
        ((lookup, position),) = bound.items()
        return self._with(bound=lookup.removeprefix("id__"), position=int(position))

    def __getitem__(self, index):
        start, stop = index.start or 0, index.stop
        values = {"now": self.now, **self.filters}
        if self.bound is not None:
            values["position"] = self.position
        query = _page_query(tuple(sorted(self.filters)), self.ordering, self.bound, self.body)
        return query.rows(limit=stop - start, offset=start, **values)
