from django.urls import path, register_converter

from public import feeds, views
from public.cache import public_page


class TwoDigitConverter:
    regex = "[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(TwoDigitConverter, "dd")

app_name = "articles"
urlpatterns = [
    path("", views.home, name="home"),
    path("<int:year>/<dd:month>/<dd:day>/<str:slug>/", views.article_detail, name="detail"),
    path("sections/<str:slug>/", views.section_detail, name="section"),
    path("sections/<str:slug>/feed/", public_page(feeds.SectionFeed()), name="section_feed"),
    path("sections/<str:slug>/feed/atom/", public_page(feeds.SectionAtomFeed()), name="section_atom_feed"),
    path("search/", views.search_page, name="search"),
]
