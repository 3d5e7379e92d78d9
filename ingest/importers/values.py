"""
Value helpers shared by the archive and wire formats: dates as real files write them, plain text from
HTML-ish fields, author lists, and the length checks that turn an over-long value into a Failure
instead of a silently truncated column.
"""

from __future__ import annotations

import dataclasses
import datetime
import email.utils
import functools
import html
import re
import urllib.parse
import warnings

import nh3
from dateutil import parser as dateutil_parser
from dateutil import tz

from articles.models import Article, Section
from authors.models import Author
from ingest.importers import Record
from tags.models import Tag

# Zone abbreviations that RSS feeds really use (RFC 822 names, plus a few European ones); dateutil
# would otherwise ignore an unknown name and silently read the time as UTC.
_ZONES = {
    name: tz.tzoffset(name, hours * 3600)
    for name, hours in {
        "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7,
        "MDT": -6, "PST": -8, "PDT": -7, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
    }.items()
}  # fmt: skip
_RFC822_KNOWN_ZONE = re.compile(
    r"^(?:[A-Za-z]{3}, )?\d{1,2} [A-Za-z]{3} \d{2,4} \d\d:\d\d(?::\d\d)? (?:[+-]\d{4}|GMT|UTC?|Z)$"
)
_NITF_BASIC = re.compile(r"^(\d{8})(?:T(\d{4}(?:\d{2})?)(Z|[+-]\d{4})?)?$")


def parse_datetime(text: str) -> datetime.datetime:
    """
    An aware datetime from the date formats feeds and exports use: RFC 822 (`Tue, 10 Jun 2003 04:00:00
    GMT`, with or without weekday, seconds or a named zone), ISO 8601 (`2024-01-15T08:30:00+01:00`,
    `2024-01-15 08:30:00`), the ISO basic form NITF uses (`20240115T083000Z`). A time without a zone is
    taken as UTC. Raises ValueError with the offending text when it is not a date.
    """
    value = " ".join(text.split())
    if not value:
        raise ValueError("empty date")
    if match := _NITF_BASIC.match(value):  # 20240115T083000Z -> 2024-01-15T08:30:00Z
        day, time, zone = match.groups()
        value = f"{day[:4]}-{day[4:6]}-{day[6:]}"
        if time:
            value += f"T{time[:2]}:{time[2:4]}:{time[4:6] or '00'}{zone or ''}"
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None and _RFC822_KNOWN_ZONE.search(value):
        # the common feed date, quickly; email.utils is only trusted with a zone it knows for sure
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed = None
    if parsed is None:
        # dateutil for everything else: email.utils would read an unknown zone name as UTC
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", dateutil_parser.UnknownTimezoneWarning)
                parsed = dateutil_parser.parse(value, tzinfos=_ZONES)
        except dateutil_parser.UnknownTimezoneWarning as error:
            raise ValueError(f"unknown time zone in date {text.strip()[:60]!r}") from error
        except (ValueError, OverflowError, TypeError) as error:
            raise ValueError(f"invalid date {text.strip()[:60]!r}") from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    try:
        return parsed.astimezone(datetime.UTC)
    except (OverflowError, ValueError) as error:
        raise ValueError(f"invalid date {text.strip()[:60]!r}") from error


def plain_text(value: str | None) -> str:
    """Text without markup or entities, whitespace collapsed: for headlines, deks, names and tags."""
    if not value:
        return ""
    if "<" in value:
        value = nh3.clean(value, tags=set())
    return " ".join(html.unescape(value).split())


_BY = re.compile(r"^\s*by\s+", re.IGNORECASE)
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:;|,|&|\band\b)\s*", re.IGNORECASE)


def split_names(byline: str) -> list[str]:
    """`By Jane Doe and John Roe, Reuters` -> ["Jane Doe", "John Roe", "Reuters"]; no duplicates."""
    names = []
    for name in _AUTHOR_SEPARATORS.split(_BY.sub("", plain_text(byline))):
        name = name.strip(" .")
        if name and name.lower() not in {n.lower() for n in names}:
            names.append(name)
    return names


def absolute_url(url: str) -> str:
    """The URL when it is absolute (http or https, with a host), else "" (a malformed one included)."""
    url = url.strip()
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # e.g. "https://]x" or an unclosed "[": urllib's "Invalid IPv6 URL"
        return ""
    return url if parts.scheme in {"http", "https"} and parts.netloc else ""


def join_url(base: str, url: str) -> str:
    """`url` resolved against `base` (RFC 3986); `url` as it is when either is malformed."""
    try:
        return urllib.parse.urljoin(base, url)
    except ValueError:
        return url


def url_parts(url: str) -> urllib.parse.SplitResult:
    """urlsplit(), with a malformed URL read as a relative path (no scheme, no host) instead of an error."""
    try:
        return urllib.parse.urlsplit(url)
    except ValueError:
        return urllib.parse.SplitResult("", "", url, "", "")


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s")
_HEADLINE_FROM_TEXT = 120  # characters of a description that may stand in for a missing title


def headline_from_text(text: str) -> str:
    """
    The first sentence of a text (markup removed, cut at a word when long): the headline of a feed item
    that has none (RSS allows an item with only a description; Blogger and micro.blog posts have no title).
    """
    sentence = _SENTENCE_END.split(plain_text(text), maxsplit=1)[0]
    if len(sentence) <= _HEADLINE_FROM_TEXT:
        return sentence
    return sentence[:_HEADLINE_FROM_TEXT].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def unique(values) -> list[str]:
    """Non-empty values in their first order, duplicates dropped regardless of case (tag names)."""
    seen, result = set(), []
    for value in values:
        value = plain_text(value)
        if value and value.lower() not in seen:
            seen.add(value.lower())
            result.append(value)
    return result


@functools.cache
def _limit(model, name):
    return model._meta.get_field(name).max_length


def problem(record: Record) -> str | None:
    """Why `record` cannot be saved as it is (missing or over-long values), or None when it can."""
    if not record.external_id:
        return "no external id"
    if not record.headline:
        return "no headline"
    checks = [
        ("external id", record.external_id, _limit(Article, "external_id")),
        ("headline", record.headline, _limit(Article, "headline")),
        ("slug", record.slug, _limit(Article, "slug")),
        ("section", record.section, _limit(Section, "name")),
        ("canonical URL", record.canonical_url, _limit(Article, "canonical_url")),
        *(("tag", tag, _limit(Tag, "name")) for tag in record.tags),
        *(("author name", author.name, _limit(Author, "name")) for author in record.authors),
    ]
    for what, value, limit in checks:
        if value and len(value) > limit:
            return f"{what} is {len(value)} characters long, over the limit of {limit}: {value[:40]!r}..."
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")
ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")  # how a surrogate gets into JSON text


def lone_surrogate(record: Record) -> str | None:
    """
    Why a record read from JSON cannot be stored when its text holds a lone UTF-16 surrogate (a "\\ud83d"
    escape without its pair decodes to one): no database encoding can hold it. None when it has none.
    """
    values = [dataclasses.asdict(record)]
    while values:
        value = values.pop()
        if isinstance(value, dict | list):
            values.extend(value.values() if isinstance(value, dict) else value)
        elif isinstance(value, str) and (match := _SURROGATE.search(value)):
            return f"invalid text: a lone UTF-16 surrogate (\\u{ord(match.group()):04x}) is not a character"
    return None
