"""
What the public templates call (Jinja2, in templates/jinja2/; see newsroom/jinja2.py): links, bylines,
dates, JSON-LD.

Lists render dozens of links and dates: these build them without a reverse() per link and without
re-formatting the same day twenty times. Tests keep article_url() and author_path() equal to
get_absolute_url(), and date() equal to Django's date filter.
"""

import contextlib
import contextvars
import datetime
import functools
import html
import json
import re
import unicodedata

from django.template import defaultfilters
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.encoding import iri_to_uri
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from markupsafe import Markup, escape

# The escapes of django.utils.html.json_script: no "<", ">" or "&" can end the script element early.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data, nonce=None):
    """A schema.org data block, with the CSP nonce although browsers never run it (see public/cache.py)."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)
    if nonce is not None:  # a LazyNonce: false until read, so test for None
        return format_html(
            '<script type="application/ld+json" nonce="{}">{}</script>', nonce, mark_safe(payload)
        )
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


def page_url(request, number):
    """The current URL with ?page=number (page 1 is the bare URL), other query parameters kept."""
    query = request.GET.copy()
    if number == 1:
        query.pop("page", None)
    else:
        query["page"] = number
    encoded = query.urlencode()
    return request.path + ("?" + encoded if encoded else "")


# The time zone and language of the page being rendered (see rendering() and newsroom/jinja2.py): a list
# page formats ~60 dates and links, and reading Django's current time zone and language (asgiref Locals)
# for each was ~0.3 ms of a tag page. Nothing can activate another zone or language in mid-render.
_rendering = contextvars.ContextVar("rendering", default=None)


@contextlib.contextmanager
def rendering():
    """While a page renders, the helpers below use the time zone and language current at its start."""
    token = _rendering.set((timezone.get_current_timezone(), get_language()))
    try:
        yield
    finally:
        _rendering.reset(token)


def _zone():
    current = _rendering.get()
    return timezone.get_current_timezone() if current is None else current[0]


def _language():
    current = _rendering.get()
    return get_language() if current is None else current[1]


def localtime(moment):
    """timezone.localtime(moment) (an aware datetime) in the zone of the page being rendered."""
    if timezone.is_naive(moment):
        raise ValueError("localtime() cannot be applied to a naive datetime")
    return moment.astimezone(_zone())


def _local(moment):
    if isinstance(moment, datetime.datetime) and timezone.is_aware(moment):
        return localtime(moment)
    return moment


def iso_time(moment):
    """A machine-readable time for <time datetime> and feeds: ISO 8601 in local time, whole seconds."""
    if not moment:
        return ""
    return localtime(moment).isoformat(timespec="seconds")


# Formats with no time of day in them: the text depends on the local date alone, so it is kept per day.
_DATE_ONLY_FORMATS = {"N j, Y", "N j", "Y", "F j, Y"}


def date(moment, format_string):
    """Django's date filter (the moment in local time, then django.utils.dateformat), for Jinja2."""
    if moment in (None, ""):
        return ""
    return _format(_local(moment), format_string)


def _format(moment, format_string):
    if format_string in _DATE_ONLY_FORMATS and isinstance(moment, datetime.date):
        day = moment.date() if isinstance(moment, datetime.datetime) else moment
        return _date_only(_language(), format_string, day)
    return dateformat.format(moment, format_string)


@functools.lru_cache(maxsize=4096)
def _date_only(language, format_string, day):
    return dateformat.format(day, format_string)


def time_tag(moment, format_string):
    """
    <time datetime="{{ moment|iso_time }}">{{ moment|date(format_string) }}</time>, the moment put in local
    time once: a list page shows dozens (an aware datetime, as iso_time() takes).
    """
    if not moment:
        return Markup('<time datetime=""></time>')
    return Markup(_time_tag(localtime(moment), format_string))


def _time_tag(local, format_string):
    label = escape(_format(local, format_string))
    return f'<time datetime="{local.isoformat(timespec="seconds")}">{label}</time>'


# What iri_to_uri() leaves as it is: a slug of ASCII letters, digits, "_" and "-" (almost every slug).
_PLAIN_SLUG = re.compile(r"[-\w]*", re.ASCII)


def uri_slug(slug):
    """iri_to_uri(slug), without its work for a plain ASCII slug."""
    return slug if _PLAIN_SLUG.fullmatch(slug) else iri_to_uri(slug)


def article_path(article, *, localtime=timezone.localtime):
    """Article.get_absolute_url() without reverse(), for thousands of URLs; a test keeps the two equal."""
    return _path(article, localtime(article.published_at or article.publish_at or article.created_at))


def _path(article, local):
    """The path of `article` given its date in local time."""
    return f"/{local.year}/{local.month:02d}/{local.day:02d}/{uri_slug(article.slug)}/"


def article_url(article):
    """Article.get_absolute_url() without reverse(), in the time zone of the page being rendered."""
    return article_path(article, localtime=localtime)


def story_link(article, format_string):
    """
    <a href="{{ article|article_url }}">{{ article.headline }}</a> {{ article.published_at|time_tag(...) }}:
    a story in a list of headlines, its link and its time from one moment put in local time once.
    """
    if not article.published_at:  # not for a visible article, but the same as the two filters
        url, when = article_url(article), time_tag(article.published_at, format_string)
    else:
        local = localtime(article.published_at)
        url, when = _path(article, local), _time_tag(local, format_string)
    return Markup(f'<a href="{escape(url)}">{escape(article.headline)}</a> {when}')


@functools.cache
def _authors_prefix():
    return reverse("authors:list")


def author_path(author):
    """Author.get_absolute_url() without reverse()."""
    return f"{_authors_prefix()}{uri_slug(author.slug)}/"


@functools.cache
def _sections_prefix():
    return reverse("articles:section", kwargs={"slug": "x"}).removesuffix("x/")


def section_url(section):
    """Section.get_absolute_url() without reverse() (the home page links every section)."""
    return f"{_sections_prefix()}{uri_slug(section.slug)}/"


def truncatechars(value, length):
    """
    Django's truncatechars filter. A text short enough is returned as it is (as Django returns it once
    NFC-normalized) without Truncator's work: the head of every page truncates its description three times.
    """
    if type(value) is str and type(length) is int and len(value) <= length:
        if unicodedata.is_normalized("NFC", value):
            return value
    return defaultfilters.truncatechars(value, length)


# django.utils.html.escape is html.escape marked safe and lazy-aware; the byline marks its whole result safe.
_escape = html.escape


def byline(bylines):
    """'By A, B and C (photos)', each name linking to the author's page."""
    links = []
    for credit in bylines:
        author = credit.author
        link = f'<a href="{_escape(author_path(author))}" rel="author">{_escape(author.name)}</a>'
        if credit.role != "reporting":
            link = f"{link} ({_escape(credit.get_role_display().lower())})"
        links.append(link)
    if not links:
        return ""
    names = links[0] if len(links) == 1 else ", ".join(links[:-1]) + " and " + links[-1]
    return mark_safe(f'<span class="byline">By {names}</span>')
