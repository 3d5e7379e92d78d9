from django.urls import path

from public.cache import public_page
from tags import feeds, views

app_name = "tags"
urlpatterns = [
    path("<str:slug>/", views.tag_detail, name="detail"),
    path("<str:slug>/feed/", public_page(feeds.TagFeed()), name="feed"),
    path("<str:slug>/feed/atom/", public_page(feeds.TagAtomFeed()), name="atom_feed"),
]
