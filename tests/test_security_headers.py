"""
Every response, public page or admin, carries the security headers (over real HTTP, from a live server):
Content-Security-Policy, Referrer-Policy, Permissions-Policy, Cross-Origin-Opener-Policy, nosniff and
frame denial; over HTTPS in production, HSTS too.
"""

import urllib.error
import urllib.request

import pytest
from django.test import Client

from tests.factories import make_article, make_author, make_section, make_tag

EXPECTED = {
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url):
    """Status and headers of one plain GET, redirects and errors included as they are."""
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


@pytest.mark.django_db(transaction=True)
def test_public_pages_feeds_admin_and_errors_all_carry_the_headers(live_server, settings):
    section = make_section("Politics")
    author = make_author("Ann Lee")
    tag = make_tag("Budget")
    article = make_article("A story", section=section, authors=[author], tags=[tag])
    paths = {
        "/": 200,
        article.get_absolute_url(): 200,
        section.get_absolute_url(): 200,
        tag.get_absolute_url(): 200,
        author.get_absolute_url(): 200,
        "/search/?q=story": 200,
        "/feeds/latest/": 200,
        "/sitemap.xml": 200,
        "/robots.txt": 200,
        "/no-such-page/": 404,
        "/admin/login/": 200,
        "/admin/": 302,
    }

    for path, status in paths.items():
        got, headers = fetch(live_server.url + path)
        assert got == status, path
        for name, value in EXPECTED.items():
            assert headers[name] == value, (path, name)
        assert headers["Permissions-Policy"] == settings.PERMISSIONS_POLICY, path
        assert "camera=()" in headers["Permissions-Policy"]
        assert "default-src 'self'" in headers["Content-Security-Policy"], path


def test_https_responses_carry_hsts_in_production(settings, db):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_SSL_REDIRECT = True
    browser = Client()

    assert browser.get("/admin/login/", secure=True)["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    plain = browser.get("/admin/login/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/admin/login/"
