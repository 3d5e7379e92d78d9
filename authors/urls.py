from django.urls import path

from authors import feeds, views
from public.cache import public_page

app_name = "authors"
urlpatterns = [
    path("", views.author_list, name="list"),
    path("<str:slug>/", views.author_detail, name="detail"),
    path("<str:slug>/feed/", public_page(feeds.AuthorFeed()), name="feed"),
    path("<str:slug>/feed/atom/", public_page(feeds.AuthorAtomFeed()), name="atom_feed"),
]
