from django.urls import path

from live import feeds, views
from public.cache import public_page

app_name = "live"
urlpatterns = [
    path("<int:article_id>/updates/", views.updates, name="updates"),
    path("<int:article_id>/feed/", public_page(feeds.LiveUpdatesFeed()), name="feed"),
]
