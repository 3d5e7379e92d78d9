"""
Script injection through editor-controlled text: a payload in every field an editor (or an import) fills
is shown as text, never run, on every public surface: the article page (JSON-LD included), home, section,
tag and author pages, search results, the RSS and Atom feeds, the sitemaps and the shareable preview.
Pages are parsed (HTML with html.parser, XML with ElementTree, JSON-LD with json) rather than grepped.
"""

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from articles.models import Correction
from desk.models import PreviewLink
from images.ingest import image_from_file
from tests.factories import make_article, make_author, make_section, make_tag
from tests.images.conftest import encode, photo, upload

pytestmark = pytest.mark.django_db

# Ends a quoted attribute, opens an element, ends a script element, a javascript: URL and U+2028 (a line
# terminator in JavaScript before ES2019, in which JSON-in-script escapes used to break).
PAYLOAD = "<script>alert(1)</script>\"><img src=x onerror=alert(2)></script>javascript:alert(3)\u2028'"


def payload(field):
    return f"XSS {field} {PAYLOAD}"


@pytest.fixture
def hostile(settings, tmp_path):
    """One of everything, each text field carrying the payload."""
    settings.MEDIA_ROOT = tmp_path / "media"
    section = make_section(payload("section"), slug="politics", description=payload("section description"))
    author = make_author(
        payload("author"), slug="ann-lee", bio=payload("bio"), website="javascript:alert(4)//https://x.test/"
    )
    tag = make_tag(payload("tag"), slug="budget", description=payload("tag description"))
    image = image_from_file(
        upload(encode(photo((1200, 800)), "JPEG")),
        alt=payload("alt"),
        caption=payload("caption"),
        credit=payload("credit"),
    )
    article = make_article(
        payload("headline"),
        slug="budget-vote",
        dek=payload("dek"),
        body=f"<p>XSS body {PAYLOAD}</p><p><a href='javascript:alert(5)'>link</a>"
        "<img src=x onerror=alert(6) alt=''></p><script>alert(7)</script>",
        section=section,
        authors=[author],
        tags=[tag],
        lead_image=image,
    )
    article.full_clean(exclude=["slug"])  # the body is sanitized on validation, as the admin saves it
    article.save()
    Correction.objects.create(article=article, text=payload("correction"))
    link = PreviewLink.objects.create(article=article)
    return {"article": article, "section": section, "author": author, "tag": tag, "preview": link}


class Page(HTMLParser):
    """Text, elements and script blocks of an HTML page."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.text, self.elements, self.scripts, self._script = [], [], [], None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        for name, value in attrs:
            if name == "content" and value:  # <meta content>: text for crawlers and link previews
                self.text.append(value)
        if tag == "script":
            self._script = [dict(attrs), ""]

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append(tuple(self._script))
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script[1] += data
        else:
            self.text.append(data)

    @property
    def all_text(self):
        return "\n".join(self.text)


def assert_nothing_runs(page, where):
    for tag, attrs in page.elements:
        for name, value in attrs:
            assert not name.startswith("on"), (where, tag, name, value)
            if name in {"href", "src", "action", "formaction", "srcset"} and value:
                assert not value.strip().lower().startswith("javascript:"), (where, tag, name, value)
    for attrs, content in page.scripts:
        # The only scripts: our files and JSON-LD data blocks; no payload ends one early.
        assert attrs.get("src") or attrs.get("type") == "application/ld+json", (where, attrs, content)
        assert "alert(" not in content or attrs.get("type") == "application/ld+json", where


def get_page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    page = Page(response.content.decode())
    assert_nothing_runs(page, url)
    return page


def shown_as_text(page, *fields):
    for field in fields:
        # The payload's characters arrive as text: escaped on the way, or the parser would have made
        # elements of them.
        assert payload(field).replace("\u2028", "") in page.all_text.replace("\u2028", ""), field


def json_ld(page):
    blocks = [content for attrs, content in page.scripts if attrs.get("type") == "application/ld+json"]
    assert blocks
    for content in blocks:
        assert "</script" not in content.lower() and "<" not in content
    return [json.loads(content) for content in blocks]


def strings_in(data):
    if isinstance(data, dict):
        for value in data.values():
            yield from strings_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings_in(value)
    elif isinstance(data, str):
        yield data


def test_the_article_page_shows_every_field_as_text_and_json_ld_round_trips(client, hostile):
    page = get_page(client, hostile["article"].get_absolute_url())

    shown_as_text(page, "headline", "dek", "section", "author", "tag", "caption", "credit", "correction")
    assert "XSS body" in page.all_text
    assert any(dict(attrs).get("alt") == payload("alt") for tag, attrs in page.elements if tag == "img")
    data = [value for block in json_ld(page) for value in strings_in(block)]
    assert payload("headline") in data  # exactly, U+2028 included: the data block round-trips
    assert payload("author") in data


@pytest.mark.parametrize("surface", ["home", "section", "tag", "author"])
def test_listing_pages_show_names_and_descriptions_as_text(client, hostile, surface):
    url, fields = {
        "home": ("/", ["headline", "section"]),
        "section": (hostile["section"].get_absolute_url(), ["section", "section description", "headline"]),
        "tag": (hostile["tag"].get_absolute_url(), ["tag", "tag description", "headline"]),
        "author": (hostile["author"].get_absolute_url(), ["author", "bio", "headline"]),
    }[surface]

    page = get_page(client, url)

    shown_as_text(page, *fields)
    if surface != "home":  # the data blocks are parsed as JSON and give the names back exactly
        assert payload(fields[0]) in [value for block in json_ld(page) for value in strings_in(block)]


def test_search_results_and_the_query_itself_are_text(client, hostile):
    page = get_page(client, "/search/?q=budget+" + "%3Cscript%3Ealert(8)%3C/script%3E")

    assert "<script>alert(8)</script>" in page.all_text
    results = get_page(client, "/search/?q=XSS+headline")
    # The matched words are marked (<mark>): the payload after them is one text node.
    assert PAYLOAD.replace("\u2028", "") in "".join(results.text).replace("\u2028", "")


def test_the_preview_page_shows_every_field_as_text(client, hostile):
    page = get_page(client, hostile["preview"].get_absolute_url())

    shown_as_text(page, "headline", "dek", "author", "tag", "correction")


def feed_items(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return ET.fromstring(response.content)  # well-formed XML, or this raises


def html_of(text):
    """What a feed reader makes of an HTML-typed element: its text, parsed as HTML."""
    return Page(text)


@pytest.mark.parametrize("url", ["/feeds/latest/", "/sections/politics/feed/", "/tags/budget/feed/"])
def test_rss_feeds_are_well_formed_and_their_html_descriptions_escaped(client, hostile, url):
    root = feed_items(client, url)

    (item,) = root.iter("item")
    assert item.findtext("title") == payload("headline")
    description = html_of(item.findtext("description"))  # RSS descriptions are HTML to readers
    assert_nothing_runs(description, url)
    assert payload("dek") in description.all_text


def test_the_atom_feed_is_well_formed_and_its_html_summary_escaped(client, hostile):
    atom = "{http://www.w3.org/2005/Atom}"
    root = feed_items(client, "/feeds/latest/atom/")

    (entry,) = root.iter(f"{atom}entry")
    assert entry.findtext(f"{atom}title") == payload("headline")
    summary = entry.find(f"{atom}summary")
    assert summary.get("type") == "html"
    html = html_of(summary.text)
    assert_nothing_runs(html, "atom")
    assert payload("dek") in html.all_text
    assert entry.find(f"{atom}author").findtext(f"{atom}name") == payload("author")


def test_sitemaps_are_well_formed_and_keep_the_headline_as_text(client, hostile):
    news = "{http://www.google.com/schemas/sitemap-news/0.9}"
    root = feed_items(client, "/sitemap-news.xml")

    assert [title.text for title in root.iter(f"{news}title")] == [payload("headline")]
    index = feed_items(client, "/sitemap.xml")
    for location in index.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"):
        path = location.text.split("://", 1)[1].split("/", 1)[1]
        feed_items(client, "/" + path)
