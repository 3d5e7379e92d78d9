"""
schema.org JSON-LD for public pages, built as Python dicts and emitted by the `json_ld` template tag
(public/templating.py) with json_script's escaping, in <script type="application/ld+json">.
"""

from django.conf import settings
from django.utils import timezone

from newsroom.links import absolute_url as absolute


def _iso(moment):
    return timezone.localtime(moment).replace(microsecond=0).isoformat() if moment else None


def publisher():
    return {"@type": "NewsMediaOrganization", "name": settings.SITE_NAME, "url": settings.SITE_URL + "/"}


def person(author):
    return {"@type": "Person", "name": author.name, "url": absolute(author.get_absolute_url())}


def news_article(article, *, bylines, tags, image=None, corrections=()):
    """NewsArticle for an article page. `image` (an absolute URL or ImageObject dict) once images exist."""
    url = absolute(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.headline[:110],
        "description": article.dek,
        "datePublished": _iso(article.published_at),
        "dateModified": _iso(article.updated_at or article.published_at),
        "author": [person(byline.author) for byline in bylines],
        "publisher": publisher(),
        "keywords": [tag.name for tag in tags],
        "isAccessibleForFree": True,
    }
    if article.section_id:
        data["articleSection"] = article.section.name
    if image:
        data["image"] = [image]
    if corrections:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": f"{correction.get_kind_display()}: {correction.text}",
                "datePublished": _iso(getattr(correction, "created_at", None)),
            }
            for correction in corrections
        ]
    return data


def collection_page(*, name, description, url):
    return {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "name": name,
        "description": description,
        "url": absolute(url),
        "isPartOf": {"@type": "WebSite", "name": settings.SITE_NAME, "url": settings.SITE_URL + "/"},
    }


def profile_page(author):
    main = person(author)
    if author.bio:
        main["description"] = author.bio
    same_as = [author.website] if author.website else []
    if same_as:
        main["sameAs"] = same_as
    return {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": absolute(author.get_absolute_url()),
        "mainEntity": main,
    }
