"""
The allow-list of embed providers: which URLs each one owns, its oEmbed endpoint, and the one iframe URL
readers may load from it after they opt in (`frame_url`), on the provider's frame host only.

Matching and fetching go through micawber (a ProviderRegistry of micawber Providers); micawber's own
bootstrap list is not used, so nothing outside this table is ever fetched or framed. Per provider:

- YouTube: oEmbed for the title; the frame is youtube-nocookie.com (no cookies until the video plays).
- Vimeo: oEmbed; the frame is the player URL from the oEmbed iframe (it keeps an unlisted video's hash), with
  `dnt=1` (no tracking).
- X/Twitter, TikTok, Bluesky: their oEmbed HTML is a <blockquote> plus the provider's script, which we never
  run. The frame is the provider's own iframe page for the post (X's Tweet.html, TikTok's embed/v2, Bluesky's
  embed.bsky.app/embed/<did>/..., whose DID only the oEmbed response gives).
- Instagram: Meta's oEmbed needs an app access token, so nothing is fetched; the frame is the post's /embed/.
- Mastodon: the instances in settings.EMBED_MASTODON_HOSTS, oEmbed at https://<host>/api/oembed; the frame is
  the status's own /embed page on that instance.
- DocumentCloud, Datawrapper: oEmbed; the frame is the iframe of their oEmbed HTML (embed.documentcloud.org,
  datawrapper.dwcdn.net).

settings.EMBED_OEMBED_ENDPOINTS replaces endpoints by provider name (tests point them at a local server).
"""

import http.client
import re
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import micawber
from django.conf import settings
from micawber.exceptions import ProviderException


@dataclass(frozen=True)
class Provider:
    name: str  # the key in settings.EMBED_OEMBED_ENDPOINTS and the CSS class
    label: str  # what readers read: "YouTube"
    patterns: tuple[str, ...]  # URL regexes (matched from the start)
    endpoint: str  # oEmbed endpoint; empty: nothing to fetch (Instagram)
    frame_hosts: tuple[str, ...]  # the only hosts its iframe may come from (https)
    shape: str = "video"  # video (16:9), post (tall, fixed height), document (tall)
    operator: str = ""  # who receives the reader's request, for the placeholder's notice

    @property
    def host(self):
        """The host we talk to, for the editor's messages ("Could not reach youtube.com ...")."""
        host = urlsplit(self.endpoint).hostname if self.endpoint else self.frame_hosts[0]
        return host.removeprefix("www.")

    def frame_url(self, url, data=None):
        """The iframe URL for `url` (and its oEmbed `data`), or "" if none can be made safely."""
        frame = _FRAME_BUILDERS[self.name](self, url, data or {})
        return frame if frame and self.allows_frame(frame) else ""

    def allows_frame(self, frame_url):
        parts = urlsplit(frame_url)
        return parts.scheme == "https" and parts.hostname in self.frame_hosts and not parts.username


class _Iframes(HTMLParser):
    """The src of every <iframe> and the data-bluesky-uri / data-embed-url of any element in some HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sources, self.bluesky_uris = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "iframe" and attrs.get("src"):
            self.sources.append(attrs["src"])
        if attrs.get("data-embed-url"):  # Mastodon 4.3+ sends a blockquote naming its iframe
            self.sources.append(attrs["data-embed-url"])
        if attrs.get("data-bluesky-uri"):
            self.bluesky_uris.append(attrs["data-bluesky-uri"])


def _parsed(html):
    parser = _Iframes()
    parser.feed(html or "")
    return parser


def _first_allowed_iframe(provider, html):
    return next((src for src in _parsed(html).sources if provider.allows_frame(src)), "")


def _youtube(provider, url, data):
    parts = urlsplit(url)
    if parts.hostname == "youtu.be":
        video = parts.path.strip("/").split("/")[0]
    elif parts.path.startswith(("/shorts/", "/embed/", "/live/")):
        video = parts.path.split("/")[2]
    else:
        video = dict(parse_qsl(parts.query)).get("v", "")
    return f"https://www.youtube-nocookie.com/embed/{video}" if re.fullmatch(r"[\w-]{6,20}", video) else ""


def _vimeo(provider, url, data):
    frame = _first_allowed_iframe(provider, data.get("html"))
    if not frame:
        match = re.search(r"vimeo\.com/(?:video/)?(\d+)", url)
        frame = f"https://player.vimeo.com/video/{match.group(1)}" if match else ""
    if not frame:
        return ""
    parts = urlsplit(frame)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "dnt"] + [("dnt", "1")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _x(provider, url, data):
    match = re.search(r"/status(?:es)?/(\d+)", url)
    return f"https://platform.twitter.com/embed/Tweet.html?id={match.group(1)}&dnt=true" if match else ""


def _instagram(provider, url, data):
    # /p/, /reel/ (also shared as /reels/) and /tv/, with or without the account's name before them.
    match = re.search(r"instagram\.com/(?:[\w.]+/)?(p|reels?|tv)/([\w-]+)", url)
    if not match:
        return ""
    kind = "reel" if match.group(1) == "reels" else match.group(1)
    return f"https://www.instagram.com/{kind}/{match.group(2)}/embed/"


def _tiktok(provider, url, data):
    match = re.search(r"/video/(\d+)", url)
    video = match.group(1) if match else str(data.get("embed_product_id") or "")
    return f"https://www.tiktok.com/embed/v2/{video}" if re.fullmatch(r"\d{5,25}", video) else ""


def _bluesky(provider, url, data):
    for uri in _parsed(data.get("html")).bluesky_uris:
        match = re.fullmatch(r"at://(did:[a-z]+:[\w.:%-]+)/app\.bsky\.feed\.post/([\w]+)", uri)
        if match:
            return f"https://embed.bsky.app/embed/{match.group(1)}/app.bsky.feed.post/{match.group(2)}"
    return ""


def _mastodon(provider, url, data):
    # Mastodon 4.3+ names its embed page in the blockquote (data-embed-url), older versions in an iframe;
    # both are on the instance itself. Without either, the status's own /embed page.
    frame = _first_allowed_iframe(provider, data.get("html"))
    if frame:
        return frame
    parts = urlsplit(url)
    match = re.fullmatch(r"/@[\w.-]+(?:@[\w.-]+)?/(\d+)/?", parts.path)
    return f"https://{parts.hostname}{parts.path.rstrip('/')}/embed" if match else ""


def _from_oembed_iframe(provider, url, data):
    return _first_allowed_iframe(provider, data.get("html"))


_FRAME_BUILDERS = {
    "youtube": _youtube,
    "vimeo": _vimeo,
    "x": _x,
    "instagram": _instagram,
    "tiktok": _tiktok,
    "bluesky": _bluesky,
    "mastodon": _mastodon,
    "documentcloud": _from_oembed_iframe,
    "datawrapper": _from_oembed_iframe,
}


FIXED_PROVIDERS = (
    Provider(
        "youtube",
        "YouTube",
        (
            r"https?://(?:www\.|m\.)?youtube\.com/(?:watch\?|shorts/|live/)\S+",
            r"https?://youtu\.be/[\w-]+\S*",
        ),
        "https://www.youtube.com/oembed",
        ("www.youtube-nocookie.com",),
        operator="YouTube (Google)",
    ),
    Provider(
        "vimeo",
        "Vimeo",
        (r"https?://(?:www\.)?vimeo\.com/(?:channels/[\w-]+/)?\d+\S*",),
        "https://vimeo.com/api/oembed.json",
        ("player.vimeo.com",),
        operator="Vimeo",
    ),
    Provider(
        "x",
        "X (Twitter)",
        (r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?:\w+|i/web)/status(?:es)?/\d+\S*",),
        "https://publish.twitter.com/oembed",
        ("platform.twitter.com",),
        shape="post",
        operator="X",
    ),
    Provider(
        "instagram",
        "Instagram",
        (r"https?://(?:www\.)?instagram\.com/(?:[\w.]+/)?(?:p|reels?|tv)/[\w-]+/?\S*",),
        "",  # Meta's oEmbed needs an app token: the frame comes from the URL alone
        ("www.instagram.com",),
        shape="post",
        operator="Instagram (Meta)",
    ),
    Provider(
        "tiktok",
        "TikTok",
        (r"https?://(?:www\.|m\.)?tiktok\.com/@[\w.-]+/video/\d+\S*",),
        "https://www.tiktok.com/oembed",
        ("www.tiktok.com",),
        shape="post",
        operator="TikTok",
    ),
    Provider(
        "bluesky",
        "Bluesky",
        (r"https?://bsky\.app/profile/[\w.:-]+/post/\w+",),
        "https://embed.bsky.app/oembed",
        ("embed.bsky.app",),
        shape="post",
        operator="Bluesky",
    ),
    Provider(
        "documentcloud",
        "DocumentCloud",
        (
            r"https?://(?:www\.)?documentcloud\.org/documents/[\w-]+\S*",
            r"https?://embed\.documentcloud\.org/documents/[\w-]+\S*",
        ),
        "https://api.www.documentcloud.org/api/oembed/",
        ("embed.documentcloud.org",),
        shape="document",
        operator="DocumentCloud",
    ),
    Provider(
        "datawrapper",
        "Datawrapper",
        (
            r"https?://datawrapper\.dwcdn\.net/\w+/(?:\d+/)?",
            r"https?://(?:www\.)?datawrapper\.de/_/\w+/?",
        ),
        "https://api.datawrapper.de/v3/oembed",
        ("datawrapper.dwcdn.net",),
        shape="document",
        operator="Datawrapper",
    ),
)


def mastodon_providers(hosts):
    return tuple(
        Provider(
            "mastodon",
            "Mastodon",
            (rf"https://{re.escape(host)}/@[\w.-]+(?:@[\w.-]+)?/\d+/?(?:\?\S*)?",),
            f"https://{host}/api/oembed",
            (host,),
            shape="post",
            operator=f"Mastodon ({host})",
        )
        for host in hosts
    )


def providers():
    """Every allowed provider under the current settings (Mastodon instances, endpoint overrides)."""
    overrides = settings.EMBED_OEMBED_ENDPOINTS
    result = []
    for provider in (*FIXED_PROVIDERS, *mastodon_providers(settings.EMBED_MASTODON_HOSTS)):
        if provider.endpoint and provider.name in overrides:
            provider = replace(provider, endpoint=overrides[provider.name])
        result.append(provider)
    return result


def frame_hosts():
    """Every host an embed's iframe may come from: what the CSP's frame-src must allow."""
    return sorted({host for provider in providers() for host in provider.frame_hosts})


class _OEmbed(micawber.Provider):
    """A micawber provider that knows which of ours it is."""

    def __init__(self, provider, timeout):
        super().__init__(provider.endpoint, timeout=timeout, user_agent="newsroom-cms (oEmbed)")
        self.provider = provider

    def fetch(self, url):
        # micawber turns URLError and timeouts into ProviderException, but not a connection dropped while
        # reading the answer (ConnectionResetError, RemoteDisconnected): the editor is told of those too.
        try:
            return super().fetch(url)
        except (OSError, http.client.HTTPException) as error:
            raise ProviderException(f'Error fetching "{url}"') from error


def registry():
    """A micawber registry of the allowed providers only (their endpoints as currently configured)."""
    registry = micawber.ProviderRegistry()
    for provider in providers():
        for pattern in provider.patterns:
            registry.register(pattern + "$", _OEmbed(provider, settings.EMBED_FETCH_TIMEOUT))
    return registry


def provider_for_url(url, registry_=None):
    """The allowed provider of `url`, or None (an unknown URL stays a plain link)."""
    found = (registry_ or registry()).provider_for_url(url)
    return found.provider if found is not None else None
