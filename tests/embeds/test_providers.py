"""
Every allow-listed provider: its URL patterns match the URLs people really paste (x.com and twitter.com,
mobile hosts, share query strings), its recorded oEmbed answer becomes a placeholder whose frame is inside
the CSP's frame-src, nothing of the provider's is in the page before the reader opts in, and with the
network down the editor is told and readers get a link. Instagram is embedded from its URL alone.
"""

import pytest

from articles.models import Status
from embeds import providers
from embeds.fetch import ensure_embeds
from embeds.models import Embed
from tests.embeds.conftest import INSTAGRAM, RECORDED
from tests.embeds.test_admin_save import body_with, save_in_admin, warnings
from tests.embeds.test_public_page import LABELS, published_with, sources
from tests.factories import make_article

pytestmark = pytest.mark.django_db

# (URL as pasted, provider, the iframe built from the URL alone: "" where only the oEmbed answer gives it)
VARIANTS = [
    ("https://twitter.com/Interior/status/507185938620219395", "x", "507185938620219395"),
    ("https://x.com/Interior/status/507185938620219395", "x", "507185938620219395"),
    ("https://www.x.com/Interior/status/507185938620219395?s=20", "x", "507185938620219395"),
    ("https://mobile.twitter.com/Interior/status/507185938620219395", "x", "507185938620219395"),
    ("https://mobile.x.com/Interior/status/507185938620219395/photo/1", "x", "507185938620219395"),
    ("https://x.com/Interior/status/507185938620219395?s=46&t=Zb3jQp9k-3AeV", "x", "507185938620219395"),
    ("https://twitter.com/i/web/status/507185938620219395", "x", "507185938620219395"),
    ("http://twitter.com/Interior/statuses/507185938620219395", "x", "507185938620219395"),
    ("https://www.tiktok.com/@scout2015/video/6718335390845095173", "tiktok", "6718335390845095173"),
    ("https://tiktok.com/@scout2015/video/6718335390845095173", "tiktok", "6718335390845095173"),
    ("https://m.tiktok.com/@scout2015/video/6718335390845095173", "tiktok", "6718335390845095173"),
    (
        "https://www.tiktok.com/@scout2015/video/6718335390845095173?is_from_webapp=1&sender_device=pc",
        "tiktok",
        "6718335390845095173",
    ),
    ("https://www.instagram.com/p/C5dGzXuM0Tq/", "instagram", "p/C5dGzXuM0Tq"),
    ("https://instagram.com/p/C5dGzXuM0Tq", "instagram", "p/C5dGzXuM0Tq"),
    (
        "https://www.instagram.com/p/C5dGzXuM0Tq/?utm_source=ig_web_copy_link&igsh=MzRlODBiNWFlZA==",
        "instagram",
        "p/C5dGzXuM0Tq",
    ),
    ("https://www.instagram.com/natgeo/p/C5dGzXuM0Tq/", "instagram", "p/C5dGzXuM0Tq"),
    ("https://www.instagram.com/reel/C8xY2bqsP1w/?igsh=abc", "instagram", "reel/C8xY2bqsP1w"),
    ("https://www.instagram.com/reels/C8xY2bqsP1w/", "instagram", "reel/C8xY2bqsP1w"),
    ("https://www.instagram.com/tv/B9nXwRDn2Yc/", "instagram", "tv/B9nXwRDn2Yc"),
    ("https://mastodon.social/@Gargron/113375330935212133", "mastodon", "@Gargron/113375330935212133"),
    ("https://mastodon.social/@Gargron/113375330935212133/", "mastodon", "@Gargron/113375330935212133"),
    ("https://mastodon.social/@Gargron/113375330935212133?utm=x", "mastodon", "@Gargron/113375330935212133"),
    (
        "https://mastodon.social/@nixCraft@mastodon.social/113375330935212133",
        "mastodon",
        "@nixCraft@mastodon.social/113375330935212133",
    ),
    ("https://mastodon.online/@someone/112233445566778899", "mastodon", "@someone/112233445566778899"),
    ("https://www.documentcloud.org/documents/20059068-the-mueller-report", "documentcloud", ""),
    ("https://documentcloud.org/documents/20059068-the-mueller-report", "documentcloud", ""),
    ("https://www.documentcloud.org/documents/20059068-the-mueller-report#document/p3", "documentcloud", ""),
    ("https://embed.documentcloud.org/documents/20059068-the-mueller-report/?embed=1", "documentcloud", ""),
    ("https://www.documentcloud.org/documents/20059068-the-mueller-report.html", "documentcloud", ""),
]

NOT_EMBEDS = [
    "https://x.com/Interior",  # a profile, not a post
    "https://twitter.com/search?q=sunset",
    "https://x.com.evil.example/Interior/status/507185938620219395",
    "https://www.tiktok.com/@scout2015",
    "https://www.instagram.com/natgeo/",
    "https://mastodon.example/@Gargron/113375330935212133",  # not an allowed instance
    "https://mastodon.social/@Gargron",
    "https://www.documentcloud.org/app",
]


@pytest.mark.parametrize(("url", "name", "frame"), VARIANTS)
def test_each_providers_patterns_match_the_url_variants_people_paste(url, name, frame):
    provider = providers.provider_for_url(url)

    assert provider is not None and provider.name == name
    built = provider.frame_url(url)
    if frame:
        assert frame in built and provider.allows_frame(built)
    else:
        assert built == ""  # DocumentCloud's iframe comes from its oEmbed answer only


@pytest.mark.parametrize("url", NOT_EMBEDS)
def test_other_urls_of_those_sites_stay_links(url):
    assert providers.provider_for_url(url) is None


def test_x_and_twitter_urls_of_a_post_frame_the_same_tweet_page():
    frames = {providers.provider_for_url(url).frame_url(url) for url, name, _ in VARIANTS if name == "x"}
    assert frames == {"https://platform.twitter.com/embed/Tweet.html?id=507185938620219395&dnt=true"}


# What each recorded answer becomes: the frame readers load after opting in, and the title or author.
EXPECTED = {
    "x": (
        "https://platform.twitter.com/embed/Tweet.html?id=507185938620219395&dnt=true",
        "X (Twitter) post by US Department of the Interior",
    ),
    "tiktok": (
        "https://www.tiktok.com/embed/v2/6718335390845095173",
        "Scramble up ur name &amp; I’ll try to guess it",
    ),
    "mastodon": ("https://mastodon.social/@Gargron/113375330935212133/embed", "New status by Gargron"),
    "documentcloud": (
        "https://embed.documentcloud.org/documents/20059068-the-mueller-report/?embed=1&responsive=1&title=1",
        "The Mueller Report",
    ),
}


def csp_frame_hosts(response):
    directives = dict(
        d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";") if " " in d.strip()
    )
    return directives["frame-src"].split()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_recorded_answer_is_a_placeholder_framed_inside_the_csp_and_nothing_loads_before_opt_in(
    client, oembed, name
):
    article, path = published_with(RECORDED[name])
    assert ensure_embeds(article.body) == []
    frame, title = EXPECTED[name]
    embed = Embed.objects.get()

    response = client.get(path)

    html = response.content.decode()
    assert embed.provider == name and embed.frame_url == frame.replace("&amp;", "&")
    assert "<script" not in embed.html and "style=" not in embed.html  # the provider's script never kept
    assert f'<p class="embed-provider">{LABELS[name]}</p>' in html and title in html
    assert f'data-embed-src="{frame.replace("&", "&amp;")}"' in html
    assert "<iframe" not in html and "<blockquote" not in html
    assert all(source.startswith("/") for source in sources(html)), sources(html)
    host = frame.split("/")[2]
    assert f"https://{host}" in csp_frame_hosts(response)


def test_every_providers_frame_hosts_are_in_the_csp_of_every_page(client):
    frames = csp_frame_hosts(client.get("/"))

    for provider in providers.providers():
        for host in provider.frame_hosts:
            assert f"https://{host}" in frames, provider.name
    assert sorted(frames) == sorted(f"https://{host}" for host in providers.frame_hosts())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_with_no_network_the_editor_is_told_and_the_reader_gets_a_link(
    client, superuser, settings, closed_port, name
):
    settings.EMBED_OEMBED_ENDPOINTS = {name: f"http://127.0.0.1:{closed_port}/oembed"}
    url = RECORDED[name]
    article = make_article(status=Status.DRAFT, body=body_with(url))

    response = save_in_admin(client, superuser, article)

    [warning] = warnings(response)
    assert warning.startswith(f"Could not reach 127.0.0.1 to fetch the embed of {url} (")
    assert warning.endswith("readers will see a link.")
    _, path = published_with(url, headline="Published without network")
    html = client.get(path).content.decode()
    assert f'<p class="embed-link"><a href="{url}">{url}</a></p>' in html and "embed-frame" not in html


def test_instagram_is_embedded_from_its_url_alone_without_asking_meta(
    client, superuser, settings, closed_port
):
    # Meta's oEmbed (graph.facebook.com/instagram_oembed) answers only with an app access token, which a
    # newsroom would have to register and renew with Meta: we never ask it. The frame is the post's own
    # /embed/ page, so the placeholder has no title, and it works with the network down.
    settings.EMBED_OEMBED_ENDPOINTS = {name: f"http://127.0.0.1:{closed_port}/oembed" for name in LABELS}
    article = make_article(status=Status.DRAFT, body=body_with(INSTAGRAM + "?utm_source=ig_web_copy_link"))

    response = save_in_admin(client, superuser, article)

    assert not warnings(response)
    embed = Embed.objects.get()
    assert (embed.provider, embed.status) == ("instagram", Embed.Status.OK)
    assert embed.frame_url == "https://www.instagram.com/p/C5dGzXuM0Tq/embed/"
    assert embed.title == embed.author_name == embed.html == ""
    _, path = published_with(INSTAGRAM + "?utm_source=ig_web_copy_link", headline="Instagram post")
    html = client.get(path).content.decode()
    assert '<p class="embed-provider">Instagram</p>' in html and "Load Instagram content</button>" in html
    assert "Nothing is loaded from Instagram (Meta) until you ask" in html
    assert f"View on Instagram: {INSTAGRAM}?utm_source=ig_web_copy_link</a>" in html
    assert "<iframe" not in html and "https://www.instagram.com" in csp_frame_hosts(client.get(path))
