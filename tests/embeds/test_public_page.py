"""
Readers get a click-to-load placeholder for each fetched embed: our own markup with the provider's name and
a plain link, nothing loaded from the provider until they press its button; anything else is a plain link.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from embeds.fetch import ensure_embeds
from tests.embeds.conftest import RECORDED
from tests.embeds.test_admin_save import UNKNOWN, body_with
from tests.factories import make_article
from tests.public.test_html_validity import validate

pytestmark = pytest.mark.django_db

LABELS = {
    "youtube": "YouTube",
    "vimeo": "Vimeo",
    "bluesky": "Bluesky",
    "datawrapper": "Datawrapper",
    "x": "X (Twitter)",
    "tiktok": "TikTok",
    "mastodon": "Mastodon",
    "documentcloud": "DocumentCloud",
}


def published_with(*urls, headline="Budget night"):
    article = make_article(headline, body=body_with(*urls))
    return article, article.get_absolute_url()


def sources(html):
    """Every URL the browser would load by itself: src, srcset, and stylesheet/script hrefs."""
    found = re.findall(r'\s(?:src|srcset|poster|data)="([^"]*)"', html)
    found += re.findall(r'<link rel="(?:stylesheet|preload|modulepreload|icon)"[^>]*href="([^"]*)"', html)
    return found


def test_each_embed_is_a_placeholder_with_its_provider_and_a_plain_link(client, oembed):
    article, path = published_with(*RECORDED.values())
    assert ensure_embeds(article.body) == []

    html = client.get(path).content.decode()

    assert html.count('<figure class="embed ') == len(RECORDED)
    assert html.count('<button type="button"') == len(RECORDED)
    for name, url in RECORDED.items():
        assert f'<p class="embed-provider">{LABELS[name]}</p>' in html
        assert f"Load {LABELS[name]} content</button>" in html
        assert f'<figcaption><a href="{url}">' in html
    assert "Council budget vote: the full debate on YouTube</a>" in html
    assert "Nothing is loaded from YouTube (Google) until you ask" in html
    assert "<iframe" not in html
    assert all(s.startswith("/") for s in sources(html)), sources(html)  # no third party, nothing external
    assert 'data-embed-src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    assert '<script src="/static/embeds/embeds.js" defer></script>' in html
    assert 'href="/static/embeds/embeds.css"' in html


def test_an_unknown_url_stays_a_plain_link_and_loads_no_embed_script(client, oembed):
    article, path = published_with(UNKNOWN)
    assert ensure_embeds(article.body) == [] and oembed == []

    html = client.get(path).content.decode()

    assert f'<p class="embed-link"><a href="{UNKNOWN}">{UNKNOWN}</a></p>' in html
    assert "embed-frame" not in html and "embeds.js" not in html and "embeds.css" not in html


def test_an_embed_that_could_not_be_fetched_is_a_plain_link(client, settings, closed_port):
    settings.EMBED_OEMBED_ENDPOINTS = {"youtube": f"http://127.0.0.1:{closed_port}/oembed"}
    article, path = published_with(RECORDED["youtube"])
    [failure] = ensure_embeds(article.body)

    html = client.get(path).content.decode()

    url = RECORDED["youtube"]
    assert f'<p class="embed-link"><a href="{url}">{url}</a></p>' in html
    assert "embed-frame" not in html and "<iframe" not in html


def test_a_url_never_saved_through_the_admin_is_a_link_and_the_page_fetches_nothing(client, oembed):
    _, path = published_with(RECORDED["vimeo"])

    html = client.get(path).content.decode()

    assert oembed == []  # the public page never touches the network
    assert f'<a href="{RECORDED["vimeo"]}">' in html and "embed-frame" not in html


def test_embeds_cost_one_query_and_an_article_without_lone_urls_none(client, oembed):
    plain, plain_path = published_with(headline="No embeds")
    embedded, embedded_path = published_with(*RECORDED.values(), headline="Eight embeds")
    ensure_embeds(embedded.body)
    client.get(published_with(headline="Warm-up")[1])  # once-per-process lookups out of the way

    with CaptureQueriesContext(connection) as without:
        assert client.get(plain_path).status_code == 200
    with CaptureQueriesContext(connection) as with_embeds:
        assert client.get(embedded_path).status_code == 200

    assert not any("embeds_embed" in q["sql"] for q in without.captured_queries)
    assert len(with_embeds) == len(without) + 1


def test_the_csp_frames_only_the_providers_hosts(client, oembed):
    article, path = published_with(RECORDED["youtube"])
    ensure_embeds(article.body)

    csp = client.get(path)["Content-Security-Policy"]

    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if " " in d.strip())
    frames = directives["frame-src"].split()
    assert "https://www.youtube-nocookie.com" in frames and "https://player.vimeo.com" in frames
    assert "https://embed.bsky.app" in frames and "https://datawrapper.dwcdn.net" in frames
    assert all(host.startswith("https://") for host in frames) and "*" not in directives["frame-src"]
    assert "unsafe-inline" not in directives["script-src"]


def test_a_page_with_embeds_is_valid_html(client, oembed, vnu_command, tmp_path):
    article, path = published_with(*RECORDED.values(), UNKNOWN)
    ensure_embeds(article.body)
    page = tmp_path / "embeds.html"
    page.write_bytes(client.get(path).content)

    errors = validate(vnu_command, [page])

    assert errors["embeds.html"] == []
