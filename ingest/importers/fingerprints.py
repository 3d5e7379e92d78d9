"""
The match stage: which article each item would update, and whether a deferred item's fingerprint tells
its outcome without building its record.

Deferred items (``ingest.importers.Deferred``, from a format's ``read_deferred``: the XML formats) are
not built into records at first. Each carries a digest of what its record is made of (the serialized
element and the file's context); the fingerprint adds the effective source and default status and the
importers' own code (their source files, the libraries they use, the field limits), and is stored in
``import_fingerprint`` by every write (empty for records that came without one). At a batch, one
lookup (``existing_articles``) finds the stored fingerprints; an item whose fingerprint equals its
article's is known to be ``unchanged`` (or ``kept local edits``) without its record; every other item is
built and goes the ordinary way, checksum included. Equal fingerprints are not enough when the outcome
could be an update with the same record: ``--overwrite-local-edits`` on an edited article, or a lead
image named but not attached that may be due (see ``article_rows.image_due``; ``:url`` or ``:file`` is
appended to the stored fingerprint of a record naming one). The lookup runs on the reading thread, ahead
of the writer; the writer checks again under its lock, and builds an item itself when the article changed
in between. An item built and found unchanged by its checksum (its fingerprint was missing or stale:
imported before fingerprints, or before a change of the importers' code) gets its fingerprint stored, so
the next run skips it. Items likely to be new are built at once instead, as they are added (from the
element still parsed, see ``safexml.deferred``: no second parse), their fingerprints stored all the same:
before the first batch if no article of their source exists, then while the last batch planned found
(nearly) none of its articles.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Q

from articles.models import Article
from ingest.importers import Deferred
from ingest.importers import images as lead_images
from ingest.importers.validation import (
    AUTHOR_MAX,
    AUTHOR_SLUG_MAX,
    CANONICAL_URL_MAX,
    EXTERNAL_ID_MAX,
    HEADLINE_MAX,
    ROLES,
    SECTION_MAX,
    SLUG_MAX,
    SOURCE_MAX,
    STATUSES,
    TAG_MAX,
    TAG_SLUG_MAX,
    Item,
)


@dataclass(slots=True, eq=False)
class Unbuilt:
    """A Deferred item whose record is built only if its fingerprint does not tell its outcome."""

    deferred: Deferred
    path: Path
    format_name: str
    source: str
    external_id: str
    fingerprint: str
    built: Item | None = None  # once built (the writer may retry a batch: built once, reported once)
    failed: bool = False

    @property
    def key(self):
        return (self.source, self.external_id)

    @property
    def line(self) -> int:
        return self.deferred.line


def defer(
    deferred: Deferred, path: Path, format_name: str, *, default_source: str, default_status: str
) -> Unbuilt:
    """`deferred` as an Unbuilt item, with its fingerprint."""
    source = (default_source or format_name).strip()
    external_id = deferred.external_id.strip()
    parts = [code_fingerprint(), format_name, source, default_status, deferred.digest]
    fingerprint = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return Unbuilt(deferred, path, format_name, source, external_id, fingerprint)


def existing_articles(items: list[Item | Unbuilt]):
    """The articles these items would update, matched by (source, external_id)."""
    by_source: dict[str, list[str]] = {}
    for item in items:
        source, external_id = item.key
        by_source.setdefault(source, []).append(external_id)
    query = Q()
    for source, ids in by_source.items():
        query |= Q(source=source, external_id__in=ids)
    # The unique index on (source, external_id) is partial (external_id != ''); without the same
    # predicate PostgreSQL cannot use it for a long IN list and scans the whole table per batch.
    return Article.objects.filter(query).exclude(external_id="").order_by()


def fingerprint_decides(
    item: Unbuilt, row: dict | None, *, overwrite_local_edits: bool, fetch_images: bool
) -> bool:
    """
    Whether `item`'s outcome is known without its record: its article exists and stores the same
    fingerprint (so the record would be the one last imported, checksum and version included), and
    the outcome is unchanged or kept local edits, not an update with the same record: an edited
    article with --overwrite-local-edits, or a lead image that is not attached but may be due
    (article_rows.image_due): one named by URL with --fetch-images, one named by path (the file may be
    there now).
    """
    if row is None:
        return False
    fingerprint, _, image = row["import_fingerprint"].partition(":")
    if fingerprint != item.fingerprint:
        return False
    if edited(row):
        return not overwrite_local_edits
    if not image or row["lead_image_id"] is not None:
        return True
    return image == "url" and not fetch_images


def stored_fingerprint(item: Item) -> str:
    """
    What import_fingerprint keeps for `item`: its fingerprint, with ":url" or ":file" appended when its
    record names a lead image by URL or by a path beside the import file (see fingerprint_decides).
    """
    if not item.fingerprint or not item.record.lead_image:
        return item.fingerprint
    return f"{item.fingerprint}:{'url' if lead_images.is_remote(item.record.lead_image) else 'file'}"


def edited(row: dict) -> bool:
    """Was the article changed in the CMS since an import wrote it (or never imported)?"""
    return row["imported_version"] is None or row["version"] != row["imported_version"]


@functools.cache
def code_fingerprint() -> str:
    """
    The importers' code, as far as it decides what record an item becomes: the source of every module
    of ingest.importers and of the sanitizer, the versions of the libraries they use, the limits they
    check. Part of every fingerprint, so a new version of any of them builds every item once again
    (and stores the new fingerprints of the unchanged ones).
    """
    import articles.sanitize

    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")) + [Path(articles.sanitize.__file__)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for package in ("django", "lxml", "nh3", "python-dateutil"):
        digest.update(f"{package} {importlib.metadata.version(package)}\0".encode())
    limits = [
        HEADLINE_MAX, SLUG_MAX, SOURCE_MAX, EXTERNAL_ID_MAX, CANONICAL_URL_MAX, SECTION_MAX, AUTHOR_MAX,
        AUTHOR_SLUG_MAX, TAG_MAX, TAG_SLUG_MAX, sorted(STATUSES), sorted(ROLES),
    ]  # fmt: skip
    digest.update(json.dumps(limits).encode())
    return digest.hexdigest()
