"""
The build stage: a record checked against what the database can store, and made an ``Item`` to write.

Validation happens before any write and never truncates: an over-long headline, an unknown status, an
invalid slug, URL or date makes the record a failure (``RecordInvalid``), reported as
``path:line: reason``. ``prepare()`` runs in Python, with no query, as each record is added; the checks
that only matter for what will be written (tag names split from a tag line, the form of the canonical
URL) run later, with ``check_tag`` and ``check_url``, once a batch knows what it writes.

The checksum is a SHA-256 of the normalized record as read (before sanitizing and tag splitting) plus
the effective source and status: re-reading the same file gives the same checksum without any work. It is
computed here, with the item, and compared with the article's ``import_checksum`` when the batch is
planned.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_unicode_slug
from django.utils import timezone

from articles.models import Article, Byline, Section, Status
from authors.models import Author
from ingest.importers import Record
from tags.models import Tag

_ARTICLE_FIELDS = {f.name: f for f in Article._meta.fields}
HEADLINE_MAX = _ARTICLE_FIELDS["headline"].max_length
SLUG_MAX = _ARTICLE_FIELDS["slug"].max_length
SOURCE_MAX = _ARTICLE_FIELDS["source"].max_length
EXTERNAL_ID_MAX = _ARTICLE_FIELDS["external_id"].max_length
CANONICAL_URL_MAX = _ARTICLE_FIELDS["canonical_url"].max_length
LEAD_IMAGE_SOURCE_MAX = _ARTICLE_FIELDS["lead_image_source"].max_length
SECTION_MAX = Section._meta.get_field("name").max_length
AUTHOR_MAX = Author._meta.get_field("name").max_length
AUTHOR_SLUG_MAX = Author._meta.get_field("slug").max_length
TAG_MAX = Tag._meta.get_field("name").max_length
TAG_SLUG_MAX = Tag._meta.get_field("slug").max_length

_validate_url = URLValidator(schemes=["http", "https"])
STATUSES = frozenset(Status.values)
ROLES = frozenset(Byline.Role.values)


class RecordInvalid(Exception):
    pass


@dataclass(slots=True)
class Item:
    """A validated record, ready to write."""

    record: Record
    path: Path
    source: str
    status: str
    headline: str
    checksum: str
    source_version: int | None = None
    tag_names: list[str] = field(default_factory=list)
    failed: bool = False  # reported already; a retry of its batch skips it
    body: str | None = None  # the sanitized body, once computed
    body_vector: bytes | None = None  # its search vector (binary form), computed ahead for a new article
    fingerprint: str = ""  # of the Deferred it was built from ("" for a record read as one)

    @property
    def key(self):
        return (self.source, self.record.external_id)

    @property
    def line(self) -> int:
        return self.record.line


def prepare(
    record: Record, path: Path, format_name: str, *, default_source: str, default_status: str
) -> Item:
    """`record` as an Item, its fields normalized (stripped, dates in UTC); RecordInvalid if it cannot be."""
    headline = " ".join(record.headline.split())
    if not headline:
        raise RecordInvalid("no headline")
    if len(headline) > HEADLINE_MAX:
        raise RecordInvalid(f"headline is {len(headline)} characters long; the limit is {HEADLINE_MAX}")
    external_id = record.external_id = record.external_id.strip()
    if not external_id:
        raise RecordInvalid("no external_id")
    _max(external_id, EXTERNAL_ID_MAX, "external_id")
    source = (record.source or default_source or format_name).strip()
    _max(source, SOURCE_MAX, "source")
    status = record.status or default_status
    if status not in STATUSES:
        raise RecordInvalid(f"unknown status {status!r}; expected one of {', '.join(Status.values)}")
    if status == Status.SCHEDULED and record.published_at is None:
        raise RecordInvalid("a scheduled article needs a publication date")
    if record.slug:
        _check_slug(record.slug, SLUG_MAX, "slug")
    _max(record.section, SECTION_MAX, "section name")
    for author in record.authors:
        if not author.name.strip():
            raise RecordInvalid("an author has no name")
        _max(author.name.strip(), AUTHOR_MAX, "author name")
        if author.slug:
            _check_slug(author.slug, AUTHOR_SLUG_MAX, "author slug")
        if author.role not in ROLES:
            raise RecordInvalid(
                f"unknown byline role {author.role!r}; expected one of {', '.join(Byline.Role.values)}"
            )
    for name in record.tags:
        check_tag(name)
    _max(record.canonical_url, CANONICAL_URL_MAX, "canonical_url")  # its form: checked when written
    for name in ("published_at", "updated_at"):
        value = getattr(record, name)
        if value is not None:
            if timezone.is_naive(value):
                value = timezone.make_aware(value, timezone.UTC)
            try:
                setattr(record, name, value.astimezone(timezone.UTC))
            except OverflowError:
                raise RecordInvalid(f"{name} is out of range: {value.isoformat()}") from None
    for name in ("headline", "dek", "body_html", "external_id", "slug", "section", "raw_tag_line"):
        if "\x00" in getattr(record, name):
            raise RecordInvalid(f"{name} contains a NUL character")
    if any("\x00" in t for t in record.tags) or any("\x00" in a.name for a in record.authors):
        raise RecordInvalid("a tag or author name contains a NUL character")
    version = record.version.strip()
    if version and not (version.isascii() and version.isdigit()):
        raise RecordInvalid(f"version {version!r} is not a whole number")
    return Item(
        record=record,
        path=path,
        source=source,
        status=status,
        headline=headline,
        checksum=checksum(record, source=source, status=status, headline=headline),
        source_version=int(version) if version else None,
    )


def checksum(record: Record, *, source: str, status: str, headline: str) -> str:
    payload = [
        source, record.external_id, headline, record.slug, record.dek.strip(), record.body_html,
        record.section.strip(), [(a.name.strip(), a.slug, a.role) for a in record.authors], record.tags,
        record.raw_tag_line, status, _iso(record.published_at), _iso(record.updated_at),
        record.canonical_url, record.lead_image, record.version,
    ]  # fmt: skip
    encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


def _iso(value):
    return value.isoformat() if value is not None else None


def _check_slug(slug: str, limit: int, what: str) -> None:
    _max(slug, limit, what)
    try:
        validate_unicode_slug(slug)
    except ValidationError:
        raise RecordInvalid(f"{what} {slug!r} is not a valid slug") from None


def _max(value: str, limit: int, what: str) -> None:
    if len(value) > limit:
        raise RecordInvalid(f"{what} is {len(value)} characters long; the limit is {limit}")


def check_url(url: str) -> None:
    if url:
        try:
            _validate_url(url)
        except ValidationError:
            raise RecordInvalid(f"canonical_url {url!r} is not a valid URL") from None


def check_tag(name: str) -> None:
    if len(name) <= TAG_MAX and name.strip():
        return
    if not name.strip():
        raise RecordInvalid("an empty tag name")
    _max(name.strip(), TAG_MAX, f"tag {name[:30]!r}...")
