"""What search engines and apps see: canonical URLs, Open Graph and Twitter tags, schema.org JSON-LD."""

import datetime
import json
import re

import pytest

from tests.factories import make_article, make_author, make_section, make_tag

pytestmark = pytest.mark.django_db


def json_ld(text):
    blocks = re.findall(r'<script type="application/ld\+json" nonce="[^"]+">(.*?)</script>', text, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def meta(text, attribute, name):
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', text)
    return match and match.group(1)


@pytest.fixture
def article():
    return make_article(
        "Storm hits </script> coast",
        dek="Thousands without power",
        published_at=datetime.datetime(2024, 1, 2, 3, 4, tzinfo=datetime.UTC),
        updated_at=datetime.datetime(2024, 1, 2, 5, 0, tzinfo=datetime.UTC),
        section=make_section("Weather"),
        authors=[make_author("Kim Park"), make_author("Lu Wen")],
        tags=[make_tag("Storms"), make_tag("Power")],
    )


def test_article_page_has_canonical_open_graph_and_twitter_tags(client, article):
    text = client.get(article.get_absolute_url()).text
    url = "http://127.0.0.1:8000" + article.get_absolute_url()

    assert f'<link rel="canonical" href="{url}">' in text
    assert meta(text, "property", "og:url") == url
    assert meta(text, "property", "og:type") == "article"
    assert meta(text, "property", "og:title") == "Storm hits &lt;/script&gt; coast"
    assert meta(text, "property", "og:description") == "Thousands without power"
    assert meta(text, "name", "twitter:card") == "summary_large_image"
    assert meta(text, "property", "article:published_time") == "2024-01-02T03:04:00+00:00"


def test_article_json_ld_is_a_news_article_with_every_field(client, article):
    text = client.get(article.get_absolute_url()).text
    url = "http://127.0.0.1:8000" + article.get_absolute_url()

    data = json_ld(text)

    assert "</script> coast" not in text.split("application/ld+json")[1].split("</script>")[0]
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Storm hits </script> coast"
    assert data["datePublished"] == "2024-01-02T03:04:00+00:00"
    assert data["dateModified"] == "2024-01-02T05:00:00+00:00"
    assert data["author"] == [
        {"@type": "Person", "name": "Kim Park", "url": "http://127.0.0.1:8000/authors/kim-park/"},
        {"@type": "Person", "name": "Lu Wen", "url": "http://127.0.0.1:8000/authors/lu-wen/"},
    ]
    assert data["publisher"]["name"] == "The Newsroom"
    assert data["keywords"] == ["Power", "Storms"]
    assert data["articleSection"] == "Weather"
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert "image" not in data  # filled once articles have lead images


def test_json_ld_lists_an_image_when_there_is_one():
    from public.structured_data import news_article

    article = make_article("With image")
    data = news_article(article, bylines=[], tags=[], image="http://127.0.0.1:8000/media/a.jpg")

    assert data["image"] == ["http://127.0.0.1:8000/media/a.jpg"]


def test_tag_author_and_section_pages_have_canonical_description_and_page_data(client, article):
    pages = {
        "/tags/storms/": "CollectionPage",
        "/sections/weather/": "CollectionPage",
        "/authors/kim-park/": "ProfilePage",
        "/authors/": "CollectionPage",
    }
    for path, kind in pages.items():
        text = client.get(path).text
        assert f'<link rel="canonical" href="http://127.0.0.1:8000{path}">' in text, path
        assert meta(text, "name", "description"), path
        data = json_ld(text)
        assert data["@type"] == kind, path
        assert data["url"] == f"http://127.0.0.1:8000{path}"
    assert json_ld(client.get("/authors/kim-park/").text)["mainEntity"]["name"] == "Kim Park"


def test_a_later_page_is_its_own_canonical(client):
    tag = make_tag("Many")
    for n in range(25):
        make_article(f"Many {n}", tags=[tag])

    text = client.get("/tags/many/?page=2").text

    assert '<link rel="canonical" href="http://127.0.0.1:8000/tags/many/?page=2">' in text
