"""
The allow-list for a provider's oEmbed HTML: the article body's tags plus <iframe>, whose src must be https
on one of the provider's frame hosts (any other iframe loses its src). Scripts go with their content.
"""

from urllib.parse import urlsplit

import nh3

from articles.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, ALLOWED_URL_SCHEMES

IFRAME_ATTRIBUTES = {"src", "width", "height", "title", "allow", "allowfullscreen", "loading"}


def sanitize_provider_html(html, frame_hosts):
    """`html` from a provider, keeping iframes only from `frame_hosts`."""
    if not html:
        return ""

    def attribute_filter(tag, attribute, value):
        if tag == "iframe" and attribute == "src":
            parts = urlsplit(value)
            return value if parts.scheme == "https" and parts.hostname in frame_hosts else None
        return value

    cleaner = nh3.Cleaner(
        tags=ALLOWED_TAGS | {"iframe"},
        clean_content_tags={"script", "style"},
        attributes={**ALLOWED_ATTRIBUTES, "iframe": IFRAME_ATTRIBUTES},
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=attribute_filter,
    )
    return cleaner.clean(html).strip()
