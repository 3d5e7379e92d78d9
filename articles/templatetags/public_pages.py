import functools
import json

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# The escapes of django.utils.html.json_script: no "<", ">" or "&" can end the script element early.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def json_ld(context, data):
    """A schema.org data block, with the CSP nonce although browsers never run it (see articles/cache.py)."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)
    nonce = context.get("csp_nonce")  # a LazyNonce: false until read, so test for None
    if nonce is not None:
        return format_html(
            '<script type="application/ld+json" nonce="{}">{}</script>', nonce, mark_safe(payload)
        )
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL with ?page=number (page 1 is the bare URL), other query parameters kept."""
    request = context["request"]
    query = request.GET.copy()
    if number == 1:
        query.pop("page", None)
    else:
        query["page"] = number
    encoded = query.urlencode()
    return request.path + ("?" + encoded if encoded else "")


@register.filter
def iso_time(moment):
    """A machine-readable time for <time datetime> and feeds: ISO 8601 in local time, whole seconds."""
    if not moment:
        return ""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


# Lists render dozens of links: these build them without a reverse() per link (reverse is the slowest step
# of rendering a card). Tests keep them equal to get_absolute_url().
@register.filter
def article_url(article):
    from articles.sitemaps import article_path

    return article_path(article)


@functools.cache
def _authors_prefix():
    return reverse("authors:list")


def author_path(author):
    return f"{_authors_prefix()}{iri_to_uri(author.slug)}/"


@register.simple_tag
def byline(bylines):
    """'By A, B and C (photos)', each name linking to the author's page."""
    links = []
    for credit in bylines:
        link = format_html('<a href="{}" rel="author">{}</a>', author_path(credit.author), credit.author.name)
        if credit.role != "reporting":
            link = format_html("{} ({})", link, credit.get_role_display().lower())
        links.append(link)
    if not links:
        return ""
    names = links[0] if len(links) == 1 else mark_safe(", ".join(links[:-1]) + " and " + links[-1])
    return format_html('<span class="byline">By {}</span>', names)
