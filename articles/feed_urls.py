from django.urls import path

from articles.cache import public_page
from articles.feeds import LatestAtomFeed, LatestFeed

app_name = "feeds"
urlpatterns = [
    path("latest/", public_page(LatestFeed()), name="latest"),
    path("latest/atom/", public_page(LatestAtomFeed()), name="latest_atom"),
]
