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
from rest_framework import serializers

from api.serializers import ImageSerializer
from articles.models import Article, Byline, Section, TaggedArticle
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


def _article_rows(ids):
    return Article.objects.filter(pk__in=ids).values_list(*ArticleRow._fields)


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

_DATETIME = serializers.DateTimeField()  # DRF's own formatting: time zone and "Z" as the serializer's


def _datetime(value):
    return None if value is None else _DATETIME.to_representation(value)


def articles_json(ids):
    """ArticleSerializer(...).data of the articles `ids`, in that order; five queries at most."""
    if not ids:
        return []
    rows = [ArticleRow(*row) for row in _ARTICLE_ROWS.rows(ids=list(ids))]
    authors, tags = {}, {}
    for article_id, author_id, name, slug, role in _BYLINE_ROWS.rows(ids=list(ids)):
        authors.setdefault(article_id, []).append({"id": author_id, "name": name, "slug": slug, "role": role})
    for article_id, name, slug in _TAG_ROWS.rows(ids=list(ids)):
        tags.setdefault(article_id, []).append({"name": name, "slug": slug})
    section_ids = {row.section_id for row in rows if row.section_id is not None}
    sections = {
        section["id"]: section
        for section in Section.objects.filter(pk__in=section_ids).values("id", "name", "slug", "description")
    }
    image_ids = {row.lead_image_id for row in rows if row.lead_image_id is not None}
    images = {}
    if image_ids:  # rare on a list page; the serializer itself, since renditions need their storage's URLs
        found = Image.objects.filter(pk__in=image_ids).prefetch_related("renditions")
        images = {image.pk: ImageSerializer(image).data for image in found}
    by_id = {}
    for row in rows:
        path = article_path(row)
        by_id[row.pk] = {
            "id": row.pk,
            "headline": row.headline,
            "slug": row.slug,
            "dek": row.dek,
            "body": row.body,
            "status": row.status,
            "section": sections.get(row.section_id),
            "authors": authors.get(row.pk, []),
            "tags": tags.get(row.pk, []),
            "lead_image": images.get(row.lead_image_id),
            "published_at": _datetime(row.published_at),
            "updated_at": _datetime(row.updated_at),
            "version": row.version,
            "url": absolute_url(path),
        }
    return [by_id[pk] for pk in ids if pk in by_id]
