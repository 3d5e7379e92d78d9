"""
Shareable previews: an article, or one of its revisions, exactly as readers would see it (the public
article template and its context, public.views.article_context), for whoever holds a valid link.
"""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.text import slugify

from articles.models import Article, Byline, Section
from authors.models import Author
from desk.models import PreviewLink
from public.views import article_context
from tags.models import Tag


class _Related(list):
    """A list that answers .all() like a related manager, so the public templates render a snapshot."""

    def all(self):
        return self


def _snapshot_article(article, snapshot):
    """The article as the revision `snapshot` would show it to readers (nothing is saved)."""
    preview = Article(
        pk=article.pk,
        status=article.status,
        published_at=article.published_at,
        publish_at=article.publish_at,
        updated_at=article.updated_at,
        created_at=article.created_at,
        headline=snapshot["headline"],
        slug=snapshot["slug"] or article.slug,
        dek=snapshot["dek"],
        body=snapshot["body"],
        canonical_url=snapshot.get("canonical_url", ""),
        section=Section.objects.filter(pk=snapshot["section"]).first() if snapshot["section"] else None,
    )
    authors = Author.objects.in_bulk([b["author"] for b in snapshot["bylines"]])
    bylines = _Related(
        Byline(article=preview, author=authors[b["author"]], role=b["role"], position=b["position"])
        for b in snapshot["bylines"]
        if b["author"] in authors
    )
    tags = _Related(Tag.objects.filter(name__in=snapshot["tags"]).order_by("name"))
    known = {t.name.casefold() for t in tags}
    tags += [Tag(name=name, slug=slugify(name)) for name in snapshot["tags"] if name.casefold() not in known]
    return _PreviewArticle(preview, bylines=bylines, tags=tags, corrections=article.corrections.all())


class _PreviewArticle:
    """Delegates to an Article, with bylines/tags/corrections replaced by prepared lists."""

    def __init__(self, article, **related):
        self._article = article
        self.__dict__.update(related)

    def __getattr__(self, name):
        return getattr(self._article, name)


def preview(request, token):
    """An article (or one revision) exactly as readers would see it, for whoever holds a valid link."""
    link = PreviewLink.from_token(token)
    if link is None:
        raise Http404("This preview link is not valid (it may have expired or been revoked).")
    article = link.article
    if link.revision is not None:
        shown = _snapshot_article(article, link.revision.snapshot)
    else:
        article = (
            Article.objects.select_related("section")
            .prefetch_related("bylines__author", "tags")
            .get(pk=article.pk)
        )
        shown = article
    if isinstance(shown, _PreviewArticle):
        context = article_context(shown._article, now=timezone.now(), bylines=shown.bylines, tags=shown.tags)
        context["article"] = shown
    else:
        context = article_context(shown, now=timezone.now())
    context.update({"preview_link": link, "revision": link.revision})
    response = render(request, "articles/article_preview.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    patch_cache_control(response, private=True, no_store=True)
    return response
