"""<picture> markup, the lead image on article pages, author photos and the Open Graph image."""

import re

import pytest
from django.template import Context, Template
from PIL import features

from images.ingest import image_from_file
from images.models import Image
from tests.factories import make_article, make_author
from tests.images.conftest import encode, photo, upload
from tests.images.storage import RecordingStorage

pytestmark = pytest.mark.django_db

SOURCES = (["image/avif"] if features.check("avif") else []) + ["image/webp"]


@pytest.fixture
def recording_storage(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "tests.images.storage.RecordingStorage"}}
    RecordingStorage.calls = []
    return RecordingStorage


def make_image(size=(2400, 1600), **fields):
    fields.setdefault("alt", "Firefighters at the warehouse")
    return image_from_file(upload(encode(photo(size), "JPEG")), **fields)


def render(source, **context):
    return Template("{% load images %}" + source).render(Context(context))


def test_picture_has_a_source_per_modern_format_and_a_jpeg_img_with_srcset_sizes_and_dimensions():
    image = Image.objects.with_renditions().get(pk=make_image().pk)

    html = render('{% picture image sizes="(min-width: 50rem) 50rem, 100vw" %}', image=image)

    assert re.findall(r'<source type="([^"]+)"', html) == SOURCES
    webp = {r.width: r.url for r in image.renditions.all() if r.format == "webp" and r.kind == "width"}
    expected = ", ".join(f"{webp[w]} {w}w" for w in (320, 640, 960, 1280, 1920))
    assert f'<source type="image/webp" srcset="{expected}" sizes="(min-width: 50rem) 50rem, 100vw">' in html
    [img] = re.findall(r"<img [^>]+>", html)
    jpeg = {r.width: r.url for r in image.renditions.all() if r.format == "jpeg" and r.kind == "width"}
    assert f'src="{jpeg[960]}"' in img
    assert f'srcset="{", ".join(f"{jpeg[w]} {w}w" for w in (320, 640, 960, 1280, 1920))}"' in img
    assert 'width="1920" height="1280"' in img
    assert 'alt="Firefighters at the warehouse"' in img
    assert 'loading="lazy" decoding="async"' in img
    assert "fetchpriority" not in img
    assert html.startswith("<picture>") and html.rstrip().endswith("</picture>")


def test_picture_of_nothing_renders_nothing():
    assert render("{% picture image %}", image=None).strip() == ""


def test_picture_escapes_alt_text():
    image = make_image(size=(400, 300), alt='Say "cheese" <b>now</b>')

    assert 'alt="Say &quot;cheese&quot; &lt;b&gt;now&lt;/b&gt;"' in render("{% picture image %}", image=image)


def test_article_page_shows_the_lead_image_eagerly_with_high_priority(client, django_assert_max_num_queries):
    image = make_image(caption="The fire at dawn.", credit="Photo: A. Photographer / Agency")
    article = make_article("Warehouse fire", lead_image=image)

    # The article page's queries plus one for the lead image's renditions.
    with django_assert_max_num_queries(7):
        response = client.get(article.get_absolute_url())

    html = response.text
    assert '<figure class="lead-image">' in html
    [img] = re.findall(r"<img [^>]+>", html)
    assert 'loading="eager"' in img and 'fetchpriority="high"' in img
    assert 'alt="Firefighters at the warehouse"' in img
    assert "The fire at dawn." in html and "Photo: A. Photographer / Agency" in html
    # The figure sits between the header and the body.
    assert html.index("</header>") < html.index("<figure") < html.index('<div class="story-body">')


def test_article_page_has_an_absolute_open_graph_image_url(client, settings):
    settings.SITE_URL = "https://news.example.com"
    image = make_image()
    article = make_article("Warehouse fire", lead_image=image)

    html = client.get(article.get_absolute_url()).text

    card = image.social_card()
    assert f'<meta property="og:image" content="https://news.example.com{card.url}">' in html
    assert '<meta property="og:image:width" content="1200">' in html
    assert '<meta property="og:image:height" content="630">' in html
    assert image.social_card_url == f"https://news.example.com{card.url}"


def test_article_without_a_lead_image_has_no_figure_and_no_og_image(client):
    article = make_article("No photo")

    html = client.get(article.get_absolute_url()).text

    assert "<picture" not in html and "og:image" not in html


def test_a_page_served_again_does_no_rendition_or_storage_work(
    client, recording_storage, django_assert_max_num_queries, settings
):
    # With the page cache off the page is really rendered again (with it, nothing would run at all).
    settings.PUBLIC_PAGE_CACHE = False
    article = make_article("Warehouse fire", lead_image=make_image())
    client.get(article.get_absolute_url())  # served once
    RecordingStorage.calls.clear()
    renditions = article.lead_image.renditions.count()

    # The article page's queries (related stories, corrections) plus the lead image's renditions.
    with django_assert_max_num_queries(7):
        response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert RecordingStorage.calls == []  # no exists(), open(), save(): URLs come from the rows
    assert article.lead_image.renditions.count() == renditions
    assert response.text.count("/media/images/") >= renditions


def test_author_page_shows_the_photo_lazily(client, django_assert_max_num_queries):
    author = make_author("Ellen Mitchell", photo=make_image(size=(800, 1000), alt="Ellen Mitchell"))
    make_article("Story", authors=[author])

    # The article page's queries plus one for the lead image's renditions.
    with django_assert_max_num_queries(7):
        response = client.get(author.get_absolute_url())

    [img] = re.findall(r"<img [^>]+>", response.text)
    assert 'alt="Ellen Mitchell"' in img and 'loading="lazy"' in img and 'sizes="10rem"' in img
