"""
Sitemaps (django.contrib.sitemaps): /sitemap.xml is an index over articles (paged, 5,000 a file),
tags, authors and sections; only published articles, and only tags, authors and sections with at least one.
URLs are absolute on settings.SITE_URL. The Google News sitemap (/sitemap-news.xml) is a view in views.py.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef

from articles.models import Article, Byline, Section, TaggedArticle
from authors.models import Author
from public.templating import article_path
from tags.models import Tag


class SiteSitemap(Sitemap):
    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class ArticleSitemap(SiteSitemap):
    limit = 5_000
    changefreq = "daily"

    def location(self, article):
        return article_path(article)

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "published_at", "publish_at", "created_at", "updated_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, article):
        return article.updated_at or article.published_at


class TagSitemap(SiteSitemap):
    changefreq = "daily"

    def items(self):
        # The through table's copy of visibility: one index probe per tag (see articles/db_triggers.py).
        visible = TaggedArticle.objects.visible().order_by()
        return Tag.objects.filter(Exists(visible.filter(tag=OuterRef("pk")))).order_by("pk")


class AuthorSitemap(SiteSitemap):
    changefreq = "daily"

    def items(self):
        published = Article.objects.published()
        return Author.objects.filter(
            Exists(Byline.objects.filter(author=OuterRef("pk"), article__in=published))
        ).order_by("pk")


class SectionSitemap(SiteSitemap):
    changefreq = "hourly"

    def items(self):
        return Section.objects.filter(
            Exists(Article.objects.published().filter(section=OuterRef("pk")))
        ).order_by("position", "name")


SITEMAPS = {
    "articles": ArticleSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "sections": SectionSitemap,
}
