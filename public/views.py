import datetime
import hashlib
from types import SimpleNamespace
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Exists, OuterRef, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe

from articles.models import Article, ArticleSlugHistory, Byline, Correction, Section
from embeds.render import render_body
from live import page as live_page
from newsroom.fixed_queries import FixedQuery
from public import cache, structured_data
from public import home as home_blocks
from public.paging import (
    ArticleIds,
    Credits,
    FixedIds,
    card_rows,
    cards_of,
    credits_by_article,
    newest_ids,
    tag_links,
)
from search import query as search
from search import suggest as search_suggestions

PAGE_SIZE = 20
HOME_LATEST = 10
HOME_PER_SECTION = 4
RELATED = 5


class CachedCountPaginator(Paginator):
    """A Paginator whose COUNT(*) runs once per cache generation, not on every request."""

    def __init__(self, object_list, per_page, *, count_key, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self):
        return cache.cached_value(f"count:{self.count_key}", lambda: self.object_list.count())


def canonical_url(url, page=None):
    """The absolute canonical URL of a list page: page 1 is the bare URL, later pages keep ?page=N."""
    if page is not None and page.number > 1:
        url = f"{url}?page={page.number}"
    return structured_data.absolute(url)


def paginate(request, queryset, *, count_key=None, per_page=PAGE_SIZE):
    """Page `queryset` by ?page=N; a page out of range (or not a number) is a 404, not an error."""
    if count_key is None:
        paginator = Paginator(queryset, per_page, allow_empty_first_page=True)
    else:
        paginator = CachedCountPaginator(queryset, per_page, count_key=count_key, allow_empty_first_page=True)
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        raise Http404("No such page") from None
    if number < 1 or number > paginator.num_pages:
        raise Http404("No such page")
    return paginator.page(number)


# The home page's story cards with their bylines, in one query compiled once (newsroom/fixed_queries.py): the
# newest stories (one more than shown, in case the lead is among them) and the latest pin, newest first, each
# row ending with the article's pin time. Their ids are a UNION of two subqueries each sliced inside it
# (SQLite allows no LIMIT on a member of a UNION). The limits are part of the SQL, not parameters, so that
# PostgreSQL plans the prepared statement once (a LIMIT parameter made it plan it again on every request).
def _home_cards(now):
    published = Article.objects.published(now)
    newest = newest_ids(published)[: HOME_LATEST + 1]
    pinned = published.filter(home_pinned_at__isnull=False).order_by("-home_pinned_at", "-pk").values("pk")
    ids = (
        Article.objects.filter(pk__in=newest)
        .values("pk")
        .union(Article.objects.filter(pk__in=pinned[:1]).values("pk"), all=True)
    )
    return card_rows(published.filter(pk__in=ids), "-published_at", "-pk", extra=["home_pinned_at"])


_HOME_CARDS = FixedQuery(_home_cards, model=Article, now=models.DateTimeField())


@require_safe
@cache.public_page
def home(request):
    now = timezone.now()
    rows = _HOME_CARDS.rows(now=now)
    cards = cards_of(rows)  # story cards (public/paging.py), newest first
    # The lead: the latest pin (the same tie-break as the query's), else the newest story.
    pins = {(row[-1], row[0]) for row in rows if row[-1] is not None}
    lead = cards.pop(max(pins)[1] if pins else next(iter(cards), None), None)
    latest = list(cards.values())[:HOME_LATEST]
    # A block per section with published stories, each section read with its block.
    section_blocks = home_blocks.latest_per_section(HOME_PER_SECTION, now=now, using=Article.objects.db)
    lead_section = next((s for s, _ in section_blocks if lead is not None and s.pk == lead.section_id), None)
    return render(
        request,
        "articles/home.html",
        {
            "lead": lead,
            "lead_section": lead_section,
            "articles": latest,
            "section_blocks": section_blocks,
            "canonical_url": settings.SITE_URL + "/",
            "structured_data": {
                "@context": "https://schema.org",
                "@type": "WebSite",
                "name": settings.SITE_NAME,
                "url": settings.SITE_URL + "/",
                "publisher": structured_data.publisher(),
            },
        },
    )


def _bylines_prefetch():
    from django.db.models import Prefetch

    return Prefetch("bylines", queryset=Byline.objects.select_related("author"))


def _article_by_slug(now, slug):
    """The article page's article: its section and lead image joined, whether it has corrections."""
    return (
        Article.objects.published(now)
        .select_related("section", "lead_image", "live_coverage")
        .annotate(has_corrections=Exists(Correction.objects.filter(article=OuterRef("pk"))))
        .filter(slug=slug)[:1]
    )


# Compiled once (newsroom/fixed_queries.py): building and compiling it was ~1.7 ms of every article page.
_ARTICLE_BY_SLUG = FixedQuery(
    _article_by_slug, model=Article, now=models.DateTimeField(), slug=Article._meta.get_field("slug")
)


@require_safe
@cache.public_page
def article_detail(request, year, month, day, slug):
    now = timezone.now()
    published = Article.objects.published(now)
    article = next(iter(_ARTICLE_BY_SLUG.instances(now=now, slug=slug)), None)
    if article is None:
        # An old slug of an article still published answers 301 with its current URL, forever.
        old = ArticleSlugHistory.objects.filter(slug=slug, article__in=published).select_related("article")
        old = old.first()
        if old is None:
            raise Http404("No such article")
        return redirect(old.article, permanent=True)
    try:
        requested = datetime.date(year, month, day)
    except ValueError:
        raise Http404("No such date") from None
    if timezone.localtime(article.published_at).date() != requested:
        return redirect(article, permanent=True)
    if article.lead_image_id:
        prefetch_related_objects([article], "lead_image__renditions")
    # Bylines and tags as plain rows (public/paging.py), not model instances.
    bylines = credits_by_article([article.pk]).get(article.pk, [])
    context = article_context(article, now=now, bylines=bylines, tags=tag_links(article.pk))
    return render(request, "articles/article_detail.html", context)


def article_context(article, *, now, bylines=None, tags=None):
    """What the article template needs, shared by the public page and share previews."""
    bylines = list(article.bylines.all()) if bylines is None else bylines
    tags = [item.tag for item in article.tagged_items.all()] if tags is None else tags
    related = list(Article.objects.related_to(article, limit=RELATED, now=now)) if article.pk else []
    # The public page asks in its article query whether there are any (most articles have none).
    corrections = list(article.corrections.all()) if getattr(article, "has_corrections", True) else []
    image = article.lead_image.social_card_url if article.lead_image_id else None
    context = {
        "article": article,
        # Lone provider URLs become click-to-load placeholders from the cached embeds: one query if the body
        # has lone URLs, none otherwise, and never a fetch (embeds are fetched when the admin saves).
        "body": render_body(article.body),
        "bylines": bylines,
        "tags": tags,
        "related": related,
        "corrections": corrections,
        "canonical_url": structured_data.absolute(article.get_absolute_url()),
        "structured_data": structured_data.news_article(
            article, bylines=bylines, tags=tags, image=image, corrections=corrections
        ),
    }
    # A live blog (live/page.py): its updates, and LiveBlogPosting instead of NewsArticle.
    if article.pk:
        context |= live_page.page_context(article, now=now, news_article=context["structured_data"]) or {}
    return context


# A section page's queries, compiled once (newsroom/fixed_queries.py).
_SECTION_BY_SLUG = FixedQuery(
    lambda slug: Section.objects.filter(slug=slug), model=Section, slug=Section._meta.get_field("slug")
)
_SECTION_IDS = FixedQuery(
    lambda section, now: newest_ids(Article.objects.published(now).filter(section=section)),
    model=Article,
    section=models.BigIntegerField(),
    now=models.DateTimeField(),
)


@require_safe
@cache.public_page
def section_detail(request, slug):
    section = next(iter(_SECTION_BY_SLUG.instances(slug=slug)), None)
    if section is None:
        raise Http404("No Section matches the given query.")
    now = timezone.now()
    articles = ArticleIds(FixedIds(_SECTION_IDS, section=section.pk, now=now), now=now)
    page = paginate(request, articles, count_key=f"section:{section.pk}")
    url = section.get_absolute_url()
    return render(
        request,
        "articles/section_detail.html",
        {
            "section": section,
            "page": page,
            "canonical_url": canonical_url(url, page),
            "structured_data": structured_data.collection_page(
                name=section.name, description=section.description, url=url
            ),
        },
    )


def search_url(query, number=1):
    """The search page of `query` (normalized) at page `number`."""
    params = {"q": query} | ({"page": number} if number != 1 else {})
    return "/search/?" + urlencode(params)


def _search_page_key(request):
    # Cached per normalized query and page: "Café  Crème" and "cafe creme" are one page; other parameters
    # (tracking tags) do not make another.
    return search_url(search.normalize(request.GET.get("q", "")), request.GET.get("page", "1").strip())


@require_safe
@cache.public_page(key=_search_page_key)
def search_page(request):
    # Everything below depends on the normalized query and the page only: the page cache's key.
    query = search.normalize(request.GET.get("q", ""))
    context = {"query": query, "max_length": search.MAX_QUERY_LENGTH}
    if not query or not search.words_of(query):
        context["problem"] = "empty"
        return render(request, "articles/search.html", context)
    if len(query) > search.MAX_QUERY_LENGTH:
        context["problem"] = "too_long"
        return render(request, "articles/search.html", context)
    now = timezone.now()
    published = Article.objects.published(now)
    # The ranked ids (at most search.CANDIDATES) are kept for the cache generation: paging costs no ranking.
    ids = cache.cached_value(
        "search:" + hashlib.sha256(query.encode()).hexdigest(),
        lambda: search.ranked_ids(published, query, now=now),
        now=now,
    )
    page = paginate(request, ids)
    results = search_results(page.object_list, query, now=now)
    context["page"] = page
    context["page_links"] = [
        (number, None if number == page.paginator.ELLIPSIS else search_url(query, number))
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]
    context["previous_url"] = page.has_previous() and search_url(query, page.previous_page_number())
    context["next_url"] = page.has_next() and search_url(query, page.next_page_number())
    context["candidates"] = search.CANDIDATES
    context["results"] = [(article, *search.highlight(article, query)) for article in results]
    if not ids:
        suggested = search_suggestions.suggestion(published, query, now=now)
        context["suggestion"] = suggested and (suggested, search_url(suggested))
    response = render(request, "articles/search.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


# What a search result shows (its link, headline, dek, date); the body only as with_highlights()'s start.
SEARCH_RESULT_FIELDS = ("pk", "headline", "slug", "dek", "published_at", "publish_at", "created_at")


def search_results(ids, query, *, now):
    """
    The results among `ids` visible at `now`, in that order, as plain objects (no model instances: their
    init signals were the top of an uncached search page's profile) with what the template and
    search.highlight() read, and their bylines: two queries.
    """
    if not ids:
        return []
    articles = search.with_highlights(Article.objects.published(now).filter(pk__in=ids), query)
    names = [*SEARCH_RESULT_FIELDS, *articles.query.annotations]
    rows = articles.values_list(*names)
    found = {row[0]: SimpleNamespace(**dict(zip(names, row, strict=True))) for row in rows}
    credits = credits_by_article(list(found))
    for pk, result in found.items():
        result.bylines = credits.get(pk, Credits())
    return [found[pk] for pk in ids if pk in found]


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
        f"Sitemap: {settings.SITE_URL}/sitemap-news.xml",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
@cache.public_page
def news_sitemap(request):
    """Google News sitemap: articles published in the last 48 hours (at most 1,000, as Google allows)."""
    now = timezone.now()
    articles = (
        Article.objects.published(now)
        .filter(published_at__gte=now - datetime.timedelta(hours=48))
        .newest_first()
        .with_tags()[:1000]
    )
    from public.sitemaps import article_path

    entries = [(article, article_path(article)) for article in articles]
    return render(
        request,
        "sitemap_news.xml",
        {"entries": entries, "site_url": settings.SITE_URL, "site_name": settings.SITE_NAME},
        content_type="application/xml; charset=utf-8",
    )


@require_safe
@cache.public_page
def sitemap_index(request):
    """The sitemap index, with URLs on settings.SITE_URL (Django's own index view uses the request's host)."""
    from django.contrib.sitemaps.views import SitemapIndexItem
    from django.urls import reverse

    from public.sitemaps import SITEMAPS

    items = []
    for section, sitemap_class in SITEMAPS.items():
        url = settings.SITE_URL + reverse("sitemap_section", kwargs={"section": section})
        items.append(SitemapIndexItem(url, None))
        for number in range(2, sitemap_class().paginator.num_pages + 1):
            items.append(SitemapIndexItem(f"{url}?p={number}", None))
    return render(request, "sitemap_index.xml", {"sitemaps": items}, content_type="application/xml")
