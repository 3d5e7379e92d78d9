"""
The 404 and 500 pages render with DEBUG off even before `collectstatic`: with the manifest storage of
production and no manifest yet, static() gives the plain URL (and logs why) instead of raising.
"""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import include, path

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("boom/", boom), path("", include("newsroom.urls"))]


@pytest.fixture
def production_static_files(settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "staticfiles"  # collectstatic never ran: no manifest
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.h1, self.stylesheets, self._in_h1 = "", [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._in_h1 = tag == "h1"
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.stylesheets.append(attrs["href"])

    def handle_endtag(self, tag):
        self._in_h1 = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1 += data


def parsed(response):
    page = _Page()
    page.feed(response.content.decode())
    return page


def test_a_missing_page_gets_our_404_page(production_static_files, caplog):
    response = Client().get("/no-such-story/")

    assert response.status_code == 404
    page = parsed(response)
    assert page.h1 == "We can’t find that page"
    assert page.stylesheets == ["/static/css/site.css"]
    assert "No staticfiles manifest entry for 'css/site.css': run collectstatic" in caplog.text


@pytest.mark.urls(__name__)
def test_a_failing_view_gets_our_500_page(production_static_files):
    browser = Client(raise_request_exception=False)

    response = browser.get("/boom/")

    assert response.status_code == 500
    page = parsed(response)
    assert page.h1 == "Something went wrong"
    assert page.stylesheets == ["/static/css/site.css"]


def test_with_a_manifest_the_hashed_names_are_used(production_static_files, settings):
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)

    response = Client().get("/no-such-story/")

    (stylesheet,) = parsed(response).stylesheets
    assert stylesheet.startswith("/static/css/site.") and stylesheet != "/static/css/site.css"
