from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from public import views as article_views
from public.cache import public_page
from public.sitemaps import SITEMAPS

urlpatterns = [
    path("admin/2fa/", include("accounts.urls")),  # two-factor enrolment and code step (docs/accounts.md)
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),  # the content API (docs/api.md)
    path("tags/", include("tags.urls")),
    path("authors/", include("authors.urls")),
    path("live/", include("live.urls")),  # live blogs' fragments and feeds
    # Public site: feeds, sitemaps, robots.txt.
    path("feeds/", include("public.feed_urls")),
    path("sitemap.xml", article_views.sitemap_index, name="sitemap_index"),
    path("sitemap-news.xml", article_views.news_sitemap, name="sitemap_news"),
    path(
        "sitemap-<section>.xml",
        public_page(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", article_views.robots_txt, name="robots_txt"),
    path("", include("desk.urls")),  # shareable previews
    path("", include("public.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.BENCH_FLOOR:  # bench/pages.py only: the framework floor beside each measured page
    from bench.floor import urlpatterns as bench_floor_urlpatterns

    urlpatterns += bench_floor_urlpatterns
