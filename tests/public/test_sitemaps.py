"""Sitemaps: valid XML, absolute URLs of published things only, paged articles, the Google News sitemap."""

import datetime

import defusedxml.ElementTree as ET
import pytest
from django.utils import timezone

from articles.models import Status
from public import sitemaps
from tests.factories import make_article, make_author, make_section, make_tag

pytestmark = pytest.mark.django_db

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


def locs(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    return [element.text for element in root.iter(f"{{{NS['sm']}}}loc")], root


@pytest.fixture
def site():
    now = timezone.now()
    section, hidden_section = make_section("World"), make_section("Hidden")
    tag, hidden_tag = make_tag("Visible tag"), make_tag("Hidden tag")
    author, hidden_author = make_author("Visible Author"), make_author("Hidden Author")
    fresh = make_article(
        "Fresh", published_at=now - datetime.timedelta(hours=1), section=section, tags=[tag], authors=[author]
    )
    old = make_article("Old", published_at=now - datetime.timedelta(days=5), section=section)
    hidden = dict(section=hidden_section, tags=[hidden_tag], authors=[hidden_author])
    make_article("Draft", status=Status.DRAFT, **hidden)
    make_article("Future", published_at=now + datetime.timedelta(hours=1), **hidden)
    return fresh, old


def test_the_index_lists_each_sitemap_absolutely(client, site):
    urls, _ = locs(client, "/sitemap.xml")

    base = "http://127.0.0.1:8000/sitemap-"
    assert urls == [f"{base}articles.xml", f"{base}tags.xml", f"{base}authors.xml", f"{base}sections.xml"]


def test_each_sitemap_lists_only_published_things(client, site):
    fresh, old = site
    base = "http://127.0.0.1:8000"

    assert locs(client, "/sitemap-articles.xml")[0] == [
        base + fresh.get_absolute_url(),
        base + old.get_absolute_url(),
    ]
    assert locs(client, "/sitemap-tags.xml")[0] == [base + "/tags/visible-tag/"]
    assert locs(client, "/sitemap-authors.xml")[0] == [base + "/authors/visible-author/"]
    assert locs(client, "/sitemap-sections.xml")[0] == [base + "/sections/world/"]


def test_sitemap_paths_are_the_articles_urls_unicode_slugs_included(site):
    from public.sitemaps import article_path

    article = make_article("Über München: café", published_at=timezone.now() - datetime.timedelta(days=400))

    assert "%C3%BC" in article.get_absolute_url()
    for item in [article, *site]:
        assert article_path(item) == item.get_absolute_url()


def test_a_large_archive_is_split_into_pages_listed_in_the_index(client, site, monkeypatch):
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 1)

    urls, _ = locs(client, "/sitemap.xml")

    assert "http://127.0.0.1:8000/sitemap-articles.xml?p=2" in urls
    assert len(locs(client, "/sitemap-articles.xml?p=2")[0]) == 1


def test_the_news_sitemap_lists_articles_of_the_last_48_hours(client, site):
    fresh, _ = site

    urls, root = locs(client, "/sitemap-news.xml")

    assert urls == ["http://127.0.0.1:8000" + fresh.get_absolute_url()]
    news = root.find("sm:url/news:news", NS)
    assert news.find("news:title", NS).text == "Fresh"
    assert news.find("news:publication/news:name", NS).text == "The Newsroom"
    assert news.find("news:keywords", NS).text == "Visible tag"
    published = datetime.datetime.fromisoformat(news.find("news:publication_date", NS).text)
    assert published == fresh.published_at.replace(microsecond=0)


def test_robots_and_sitemaps_agree(client, site):
    robots = client.get("/robots.txt").text
    for line in robots.splitlines():
        if line.startswith("Sitemap: "):
            path = line.removeprefix("Sitemap: http://127.0.0.1:8000")
            assert client.get(path).status_code == 200
