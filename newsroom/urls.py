from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("tags/", include("tags.urls")),
    path("authors/", include("authors.urls")),
    path("", include("articles.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.BENCH_FLOOR:  # bench/pages.py only: the framework floor beside each measured page
    from bench.floor import urlpatterns as bench_floor_urlpatterns

    urlpatterns += bench_floor_urlpatterns
