from django.urls import path

from public.cache import public_page
from public.feeds import LatestAtomFeed, LatestFeed

app_name = "feeds"
urlpatterns = [
    path("latest/", public_page(LatestFeed()), name="latest"),
    path("latest/atom/", public_page(LatestAtomFeed()), name="latest_atom"),
]
