"""Helpers for driving the article admin over HTTP in tests."""

from articles.models import Article

CHANGE = "/admin/articles/article/{}/change/"


def change_url(article):
    return CHANGE.format(article.pk)


def action_url(article, action):
    return f"/admin/articles/article/{article.pk}/workflow/{action}/"


def change_form_data(article, *, bylines=None, tags=None, loaded_version=None, **overrides):
    """The POST body of the article change form, as the browser would send it for `article`."""
    article = Article.objects.get(pk=article.pk) if article.pk else article
    existing = list(article.bylines.all()) if article.pk else []
    pins = list(article.related_pins.all()) if article.pk else []
    bylines = bylines if bylines is not None else [
        {"id": b.pk, "author": b.author_id, "role": b.role, "position": b.position} for b in existing
    ]  # fmt: skip
    data = {
        "headline": article.headline,
        "dek": article.dek,
        "body": article.body,
        "section": article.section_id or "",
        "tags": tags
        if tags is not None
        else ", ".join(t.name for t in article.tags.all())
        if article.pk
        else "",
        "slug": article.slug,
        "canonical_url": article.canonical_url,
        "source": article.source,
        "external_id": article.external_id,
        "loaded_version": loaded_version
        if loaded_version is not None
        else (article.version if article.pk else ""),
        "revision_comment": "",
        "bylines-TOTAL_FORMS": len(bylines),
        "bylines-INITIAL_FORMS": sum(1 for b in bylines if b.get("id")),
        "bylines-MIN_NUM_FORMS": 0,
        "bylines-MAX_NUM_FORMS": 1000,
        # Pinned related stories (public site): none added, existing pins kept.
        "related_pins-TOTAL_FORMS": len(pins),
        "related_pins-INITIAL_FORMS": len(pins),
        "related_pins-MIN_NUM_FORMS": 0,
        "related_pins-MAX_NUM_FORMS": 1000,
    }
    for index, pin in enumerate(pins):
        data[f"related_pins-{index}-id"] = pin.pk
        data[f"related_pins-{index}-article"] = article.pk
        data[f"related_pins-{index}-position"] = pin.position
        data[f"related_pins-{index}-related"] = pin.related_id
    for index, byline in enumerate(bylines):
        for key, value in byline.items():
            data[f"bylines-{index}-{key}"] = value
        if article.pk:
            data[f"bylines-{index}-article"] = article.pk
    data.update(overrides)
    return data
