"""
The API's JSON. ArticleSerializer is also the webhooks' payload (`article_document`): this module imports
only models and DRF, never the views or the page cache, so webhooks/ may use it (pyproject.toml's
`api-payload` contract). URLs are absolute from settings.SITE_URL, not from the request's host: a cached
response and a webhook carry the same canonical links.
"""

import json

from django.db.models import Prefetch
from rest_framework import serializers
from rest_framework.utils.encoders import JSONEncoder

from articles.models import Article, Byline, Section
from authors.models import Author
from images.models import Image, Rendition
from newsroom.links import absolute_url
from tags.models import Tag


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["id", "name", "slug", "description"]


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "slug", "kind", "description"]


class AuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = ["id", "name", "slug", "bio", "website"]


class BylineSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="author.id")
    name = serializers.CharField(source="author.name")
    slug = serializers.CharField(source="author.slug")

    class Meta:
        model = Byline
        fields = ["id", "name", "slug", "role"]


class RenditionSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    # Declared: the model's PositiveIntegerField range differs by database, and the schema must not.
    width = serializers.IntegerField(read_only=True)
    height = serializers.IntegerField(read_only=True)

    class Meta:
        model = Rendition
        fields = ["kind", "width", "height", "format", "url"]

    def get_url(self, rendition) -> str:
        return absolute_url(rendition.url)


class ImageSerializer(serializers.ModelSerializer):
    renditions = RenditionSerializer(many=True, read_only=True)

    class Meta:
        model = Image
        fields = ["id", "alt_text", "caption", "credit", "width", "height", "renditions"]


class ArticleSerializer(serializers.ModelSerializer):
    section = SectionSerializer(read_only=True)
    authors = BylineSerializer(source="bylines", many=True, read_only=True)
    tags = serializers.SerializerMethodField()
    lead_image = ImageSerializer(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "headline",
            "slug",
            "dek",
            "body",
            "status",
            "section",
            "authors",
            "tags",
            "lead_image",
            "published_at",
            "updated_at",
            "version",
            "url",
        ]
        read_only_fields = fields

    def get_tags(self, article) -> list[dict]:
        # with_tags()'s rows, ordered by name: taggit's own manager costs a queryset per article.
        return [{"name": item.tag.name, "slug": item.tag.slug} for item in article.tagged_items.all()]

    def get_url(self, article) -> str:
        return absolute_url(article.get_absolute_url())


class ArticleSummarySerializer(ArticleSerializer):
    """An article in the list: all but the body (`?fields=body` adds it; the detail always has it)."""

    class Meta(ArticleSerializer.Meta):
        fields = [field for field in ArticleSerializer.Meta.fields if field != "body"]
        read_only_fields = fields


def articles_for_api(queryset):
    """Everything ArticleSerializer reads, in a fixed number of queries whatever the number of articles."""
    return (
        queryset.select_related("section", "lead_image")
        .prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author")), "lead_image__renditions"
        )
        .with_tags()
    )


def article_document(article_id):
    """
    The JSON of `GET /api/v1/articles/<id>/` for any article (whatever its status) as plain data, encoded
    and decoded as the API's renderer does: what a webhook sends. None if there is no such article.
    """
    article = articles_for_api(Article.objects.filter(pk=article_id)).first()
    if article is None:
        return None
    return json.loads(json.dumps(ArticleSerializer(article).data, cls=JSONEncoder))


class ArticleWriteSerializer(serializers.Serializer):
    """What POST and PATCH accept (validated by the admin's ArticleAdminForm; documented here)."""

    headline = serializers.CharField(required=False)
    dek = serializers.CharField(required=False, allow_blank=True)
    body = serializers.CharField(
        required=False, allow_blank=True, help_text="HTML; sanitized as in the admin."
    )
    section = serializers.IntegerField(required=False, allow_null=True, help_text="A section id.")
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    slug = serializers.CharField(required=False, allow_blank=True)
    canonical_url = serializers.URLField(required=False, allow_blank=True)
    source = serializers.CharField(required=False, allow_blank=True)
    external_id = serializers.CharField(required=False, allow_blank=True)
    comment = serializers.CharField(required=False, allow_blank=True, help_text="The revision's comment.")


class TransitionSerializer(serializers.Serializer):
    transition = serializers.CharField(help_text="submit, approve, publish, schedule, unpublish, …")
    comment = serializers.CharField(required=False, allow_blank=True)
    publish_at = serializers.DateTimeField(required=False, help_text="For schedule.")


class StagedEditSerializer(serializers.Serializer):
    """The answer to an edit of a published article: staged as a pending revision, not live yet."""

    detail = serializers.CharField()
    revision = serializers.IntegerField(help_text="The pending revision's number.")
    version = serializers.IntegerField(help_text="The article's version now (its new ETag).")
