"""
The article JSON sent in webhook bodies, kept in this one place.

Once the read API (`api/`) lands, `article_payload` should return `api.serializers.ArticleSerializer(article)
.data` so a webhook carries exactly what `/api/v1/articles/<id>/` returns; until then it builds the same
fields by hand.
"""

from django.conf import settings


def _iso(value):
    return value.isoformat() if value else None


def article_payload(article):
    """The article as JSON-ready data: what the API returns for it."""
    section = article.section
    return {
        "id": article.pk,
        "slug": article.slug,
        "url": settings.SITE_URL + article.get_absolute_url() if article.slug else None,
        "headline": article.headline,
        "dek": article.dek,
        "body": article.body,
        "section": {"slug": section.slug, "name": section.name} if section else None,
        "tags": sorted(tag.name for tag in article.tags.all()),
        "authors": [
            {"name": byline.author.name, "slug": byline.author.slug}
            for byline in article.bylines.select_related("author").order_by("position", "pk")
        ],
        "published_at": _iso(article.published_at),
        "updated_at": _iso(article.updated_at),
        "version": article.version,
        "status": article.status,
    }


def event_body(event, article_data, *, occurred_at):
    """The JSON document POSTed for one event."""
    return {"event": event, "occurred_at": _iso(occurred_at), "article": article_data}
