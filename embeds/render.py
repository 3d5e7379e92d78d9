"""
Embeds in an article body: the URLs an editor put on a paragraph of their own, and the body as readers get
it, where each such URL of an allowed provider with a fetched embed is a click-to-load placeholder.

The placeholder is our own markup, with no third-party URL the browser loads by itself: the provider's
name, the title we stored, a notice of who gets the reader's request, a button, and a plain link that is
always there. static/embeds/embeds.js puts the provider's iframe in place of the button once it is pressed.
Everything else (unknown URLs, embeds that could not be fetched) is a plain link.
"""

import html
import re
from dataclasses import dataclass

from django.utils.html import format_html

from embeds import providers
from embeds.models import Embed

# A paragraph that is only a URL, as the body sanitizer writes it (articles.sanitize): bare text, or a link
# whose text is its own address.
LONE_URL = re.compile(
    r"<p>\s*(?:<a href=\"(?P<href>https?://[^\"\s]+)\"[^>]*>\s*(?P<text>https?://[^<\s]+)\s*</a>"
    r"|(?P<bare>https?://[^<\s]+))\s*</p>"
)


def _url_of(match):
    if match.group("bare"):
        return html.unescape(match.group("bare"))
    href, text = html.unescape(match.group("href")), html.unescape(match.group("text"))
    return href if href == text else None


def lone_urls(body):
    """The URLs on paragraphs of their own in `body`, in order, without repeats."""
    found = (_url_of(match) for match in LONE_URL.finditer(body or ""))
    return list(dict.fromkeys(url for url in found if url))


@dataclass(frozen=True)
class Body:
    html: str
    embeds: int  # how many placeholders: the page loads embeds.js only when there are any


def render_body(body):
    """`body` with placeholders for its embeds: one query when it has lone URLs, none otherwise."""
    urls = lone_urls(body)
    if not urls:
        return Body(body or "", 0)
    registry = providers.registry()
    known = {url: provider for url in urls if (provider := providers.provider_for_url(url, registry))}
    embeds = {e.url: e for e in Embed.objects.filter(url__in=list(known))} if known else {}
    count = 0

    def replace(match):
        nonlocal count
        url = _url_of(match)
        if url is None:
            return match.group(0)
        embed, provider = embeds.get(url), known.get(url)
        if not _shows(embed, provider):
            return link(url)
        count += 1
        return placeholder(embed, provider, number=count)

    rendered = LONE_URL.sub(replace, body)
    return Body(rendered, count)


def render_urls(urls_by_key):
    """
    {key: placeholder or link} for URLs given on their own ({key: url}, as a live update's embed URL):
    the same markup, allow-list and cache as a body's embeds, in one query (none without a provider
    URL). The key names the placeholder's ids (embed-notice-KEY): unique on the page, e.g. "update-12".
    """
    registry = providers.registry()
    urls = set(urls_by_key.values())
    known = {url: provider for url in urls if (provider := providers.provider_for_url(url, registry))}
    embeds = {e.url: e for e in Embed.objects.filter(url__in=list(known))} if known else {}
    rendered = {}
    for key, url in urls_by_key.items():
        embed, provider = embeds.get(url), known.get(url)
        rendered[key] = placeholder(embed, provider, number=key) if _shows(embed, provider) else link(url)
    return rendered


def _shows(embed, provider):
    """A placeholder only for a usable cached embed of an allowed provider, framed on its host."""
    return (
        embed is not None and provider is not None and embed.usable and provider.allows_frame(embed.frame_url)
    )


def link(url):
    return format_html('<p class="embed-link"><a href="{}">{}</a></p>', url, url)


def placeholder(embed, provider, *, number):
    """The click-to-load figure of one embed (number: unique on the page, for the ids)."""
    title = embed.title if embed.title and embed.title != embed.url else ""
    if not title and embed.author_name:
        title = f"{provider.label} post by {embed.author_name}"
    notice_id = f"embed-notice-{number}"
    return format_html(
        '<figure class="embed embed-{name} embed-shape-{shape}">'
        '<div class="embed-frame" data-embed-src="{src}" data-embed-title="{frame_title}"{size}>'
        '<p class="embed-provider">{label}</p>'
        "{title_html}"
        '<p class="embed-notice" id="{notice_id}">Nothing is loaded from {operator} until you ask: '
        "loading it sends your request (your IP address) to them.</p>"
        '<button type="button" class="embed-load" aria-describedby="{notice_id}">'
        "Load {label} content</button>"
        "</div>"
        '<figcaption><a href="{url}">{link_text}</a></figcaption>'
        "</figure>",
        name=provider.name,
        shape=provider.shape,
        src=embed.frame_url,
        frame_title=title or f"{provider.label} embed",
        size=format_html(' data-embed-height="{}"', embed.height)
        if embed.height and provider.shape != "video"
        else "",
        label=provider.label,
        title_html=format_html('<p class="embed-title">{}</p>', title) if title else "",
        notice_id=notice_id,
        operator=provider.operator or provider.label,
        url=embed.url,
        link_text=f"{title} on {provider.label}" if title else f"View on {provider.label}: {embed.url}",
    )
