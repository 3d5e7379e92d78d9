"""
The one save path for every import format: records in, articles out, in batches.

``Importer.add(record, path=..., format_name=...)`` validates a record at once (in Python, no query)
and buffers it; every ``batch_size`` records (and at ``close()``) the batch is written in ONE
transaction with a handful of queries, whatever its size:

1. the existing articles of the batch, by (source, external_id), locked (``SELECT ... FOR UPDATE``);
2. each record is then
   * ``older version ignored``: the record carries a source version (a NewsML-G2 item's version)
     older than the one the article was imported from (a wire correction must not be undone);
   * ``unchanged``: the article's ``import_checksum`` equals the record's (nothing is written);
   * ``kept local edits``: the article was edited in the CMS since the import wrote it
     (``version != imported_version``, or it was never imported), so it is left alone, unless
     ``overwrite_local_edits``;
   * ``updated`` or ``created`` otherwise;
3. sections, authors and tags of the written records: looked up in per-run caches, then in one query
   each for the misses (tags by case-insensitive name or slug, authors by slug or case-insensitive
   name, sections by case-insensitive name or slug), and bulk-created when new;
4. articles with ``bulk_create`` / ``bulk_update``, then their bylines and tag links.

Bulk writes bypass ``Article.save()``, so this module does what it would: bodies go through
``sanitize_html``, slugs are generated with collisions resolved (``newsroom.slugs``), and ``version``
is set here, +1 on every update, with ``imported_version`` equal to it.

Atomicity: a batch is all-or-nothing, so a crash or Ctrl-C never leaves half an article (its rows are
in the rolled-back transaction), and a re-run finds the committed batches unchanged and finishes the
rest. If the database refuses a batch (a constraint the validation could not foresee, a concurrent
writer), the batch is retried one article per transaction: the bad article is reported and skipped,
the others commit.

Validation happens before any write and never truncates: an over-long headline, an unknown status, an
invalid slug, URL or date makes the record a failure, reported as ``path:line: reason``.

Lead images (``Record.lead_image``) are handled only for the records written (``ingest.importers.images``):
a local file beside the import file is ingested like an upload, a remote URL recorded (fetched with
``fetch_images``); one that cannot be attached is reported, the article is still written. An image already
attached from the same path or URL is kept, never processed again. Files stored for a batch that does not
commit are deleted.

The checksum is a SHA-256 of the normalized record as read (before sanitizing and tag splitting) plus
the effective source and status: re-reading the same file gives the same checksum without any work.

Deferred items (``ingest.importers.Deferred``, from a format's ``read_deferred``: the XML formats) are
not built into records at first. Each carries a digest of what its record is made of (the serialized
element and the file's context); the fingerprint adds the effective source and default status and the
importers' own code (their source files, the libraries they use, the field limits), and is stored in
``import_fingerprint`` by every write (empty for records that came without one). At a batch, one
lookup finds the stored fingerprints; an item whose fingerprint equals its article's is known to be
``unchanged`` (or ``kept local edits``) without its record; every other item is built and goes the
ordinary way, checksum included. Equal fingerprints are not enough when the outcome could be an update
with the same record: ``--overwrite-local-edits`` on an edited article, or a lead image named but not
attached that may be due (see ``_image_due``; ``:url`` or ``:file`` is appended to the stored fingerprint
of a record naming one). The lookup runs on the reading thread, ahead of the writer; the writer checks again
under its lock, and builds an item itself when the article changed in between. An item built and found
unchanged by its checksum (its fingerprint was missing or stale: imported before fingerprints, or
before a change of the importers' code) gets its fingerprint stored, so the next run skips it.
Items likely to be new are built at once instead, as they are added (from the element still parsed, see
``safexml.deferred``: no second parse), their fingerprints stored all the same: before the first batch if
no article of their source exists, then while the last batch planned found (nearly) none of its articles.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import json
import queue
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_unicode_slug
from django.db import DatabaseError, connection, connections, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from articles import db_triggers, signals
from articles.models import Article, Byline, Revision, Section, Status, TaggedArticle, snapshot
from articles.sanitize import sanitize_html
from authors.models import Author
from ingest.importers import Deferred, Record
from ingest.importers import images as lead_images
from ingest.importers.hill import split_tags
from newsroom.slugs import slug_base, unique_slug
from tags.models import Tag, TagRedirect

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
KEPT_LOCAL_EDITS = "kept local edits"
OLDER_VERSION = "older version ignored"  # a wire item older than the version already imported
FAILED = "failed"
IMAGE_NOT_ATTACHED = "lead images not attached"  # reported; the article itself is imported

BATCH_SIZE = 500
STATISTICS_EVERY = 20  # batches between checks that the planner's statistics are fresh enough

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

UPDATE_FIELDS = [
    "headline", "dek", "body", "section", "status", "published_at", "publish_at", "updated_at",
    "canonical_url", "import_checksum", "version", "imported_version", "modified_at", "source_version",
    "lead_image", "lead_image_source", "import_fingerprint",
]  # fmt: skip

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


@dataclass(slots=True, eq=False)
class _Unbuilt:
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


class Importer:
    """
    Collects records, writes them in batches (see the module docstring), counts outcomes.

    `on_failure(path, line, reason)` is called for every failure as soon as it is known (from the
    writer thread for failures found while writing; calls are serialized). `on_outcome(path, line,
    external_id, outcome, reason)` is called for every outcome counted (one per item, and one per lead
    image not attached), when it is counted: the per-file results and the --report of import_articles.
    Call `close()` at the end to write the last batch, or `abandon()` after an interrupt.

    On PostgreSQL, outside any transaction, batches go through a pipeline of two background threads, each
    with its own connection, while the caller reads and validates the next batch: one computes the new
    articles' body search vectors (the costliest SQL), the other writes the batch. The database's share of
    the work overlaps the parsing instead of following it. Batches are still written one at a time and in
    order, and at most one waits in line before each stage, so memory stays bounded.
    """

    def __init__(
        self,
        *,
        default_status: str = Status.DRAFT,
        default_source: str = "",
        dry_run: bool = False,
        overwrite_local_edits: bool = False,
        batch_size: int = BATCH_SIZE,
        on_failure: Callable[[Path, int | None, str], None] | None = None,
        on_outcome: Callable[[Path, int | None, str, str, str], None] | None = None,
        fetch_images: bool = False,
        background: bool = True,
    ):
        self.default_status = default_status
        self.default_source = default_source
        self.dry_run = dry_run
        self.overwrite_local_edits = overwrite_local_edits
        self.batch_size = batch_size
        self.fetch_images = fetch_images
        self.on_failure = on_failure or (lambda path, line, reason: None)
        self.on_outcome = on_outcome or (lambda path, line, external_id, outcome, reason: None)
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()  # counts and on_failure are shared with the writer thread
        self._pending: list[Item | _Unbuilt] = []
        self._pending_keys: set = set()
        self._batches = 0
        self._background = background
        # Did the last batch written create articles? While it did not (a re-import), no vectors are
        # computed ahead: the lookup that finds the new articles would be wasted.
        self._last_batch_created = True
        # Are deferred items likely to be new articles? Then each is built as it is read, from its element
        # still parsed, rather than parsed again from its bytes when its batch is resolved. None: not known
        # yet (asked of the database at the first deferred item); then set by every batch planned.
        self._expect_new: bool | None = None
        self._stages: list[_Stage] = []  # the background pipeline, once started: [vectors, writer]
        self._reset_caches()

    # --- the public side ---------------------------------------------------------------------------

    def add(self, record: Record | Deferred, *, path: Path, format_name: str = "") -> None:
        if isinstance(record, Deferred):
            item = self._defer(record, path, format_name)
            if self._expecting_new(item.source):
                item = self._build(item)
                if item is None:
                    return
        else:
            try:
                item = self._prepare(record, path, format_name)
            except RecordInvalid as error:
                self.fail(path, record.line, str(error), external_id=record.external_id)
                return
        if item.key in self._pending_keys and item.key[1]:  # (a deferred item may have no id: it fails)
            # The same article twice in a batch (an update of an earlier item): write the first first.
            self.flush()
        self._pending.append(item)
        self._pending_keys.add(item.key)
        if len(self._pending) >= self.batch_size:
            self.flush()

    def fail(
        self, path: Path, line: int | None, reason: str, *, count: str = FAILED, external_id: str = ""
    ) -> None:
        with self._lock:
            self.counts[count] += 1
            self.on_failure(path, line, reason)
            self.on_outcome(path, line, external_id, count, reason)

    def flush(self) -> None:
        items, self._pending, self._pending_keys = self._pending, [], set()
        if not items:
            return
        existing = None
        if any(isinstance(item, _Unbuilt) for item in items):
            items, existing = self._resolve(items)
            if not items:
                return
        if self.dry_run:
            self._count(self._plan(items, lock=False)[0])
        elif self._stages or (
            self._background and connection.vendor == "postgresql" and not connection.in_atomic_block
        ):
            if not self._stages:
                writer = _Stage("import-writer", self._write_batch)
                vectors = _Stage("import-vectors", functools.partial(self._vectors_then, writer))
                self._stages = [vectors, writer]
            self._stages[0].submit((items, existing))
        else:
            self._write_batch(items)

    def _vectors_then(self, writer: _Stage, batch: tuple[list[Item | _Unbuilt], set | None]) -> None:
        items, existing = batch
        if self._last_batch_created:
            self._search_vectors_ahead(items, existing)
        writer.submit(items)

    def _resolve(self, items: list[Item | _Unbuilt]) -> tuple[list[Item | _Unbuilt], set]:
        """
        Before a batch is handed on: build every deferred item whose fingerprint does not tell its outcome
        (one unlocked lookup; the writer decides again under lock). Returns the batch without the items
        that failed to build, and the keys of the batch's articles that exist.
        """
        rows = {
            (row["source"], row["external_id"]): row
            for row in _existing(items).values(
                "source", "external_id", "import_fingerprint", "version", "imported_version", "lead_image_id"
            )
        }
        resolved = []
        for item in items:
            if isinstance(item, _Unbuilt) and not self._fingerprint_decides(item, rows.get(item.key)):
                item = self._build(item)
                if item is None:
                    continue
            resolved.append(item)
        return resolved, set(rows)

    def _search_vectors_ahead(self, items: list[Item | _Unbuilt], existing: set | None = None) -> None:
        """
        The pipeline's first stage: compute the body search vectors of the batch's new articles on its
        own connection before handing the batch to the writer, so the costliest part of the database's
        work (to_tsvector of every body) runs beside the writer's transaction and the caller's parsing
        instead of inside either. Only a hint: which articles are new is decided again, under lock, by the
        writer, which computes any vector missing here in its INSERT.
        """
        if existing is None:
            existing = set(_existing(items).values_list("source", "external_id"))
        new = [item for item in items if isinstance(item, Item) and item.key not in existing]
        if not new:
            return
        for item in new:
            item.body = _sanitized_body(item.record)
        try:
            vectors = _execute_binary(
                "SELECT articles_search_body(body) FROM unnest(%b::text[]) WITH ORDINALITY AS u(body, i)"
                " ORDER BY i",
                [[item.body for item in new]],
                binary_results=True,  # tsvectors travel in binary both ways: no text to print and parse
            )
        except DatabaseError:
            return  # e.g. a body too long for a tsvector: the writer meets it again and reports that article
        for item, (vector,) in zip(new, vectors, strict=True):
            item.body_vector = _Tsvector(vector)

    def close(self) -> None:
        self.flush()
        stages, self._stages = self._stages, []
        errors = []
        for stage in stages:  # in pipeline order: each has handed everything on when it is closed
            try:
                stage.close()
            except BaseException as error:
                errors.append(error)
        if errors:
            raise errors[0]  # a writer's error reaches the first stage too: it is raised once

    def abandon(self) -> None:
        """
        Stop after an interrupt: records not yet written are dropped (a re-run imports them), the batch
        being written finishes or rolls back whole, and `counts` is final when this returns.
        """
        self._pending, self._pending_keys = [], set()
        stages, self._stages = self._stages, []
        for stage in stages:  # first every stage stops working, so none hands a batch on to the next
            stage.abandoned = True
        for stage in stages:
            stage.stop()

    def _write_batch(self, items: list[Item]) -> None:
        if self._batches % STATISTICS_EVERY == 0:
            refresh_statistics()
        self._batches += 1
        try:
            with transaction.atomic():
                outcomes = self._write(items)
        except DatabaseError:
            # Something only the database could see: retry one article per transaction.
            self._reset_caches()
            outcomes = []
            for item in items:
                try:
                    with transaction.atomic():
                        outcomes += self._write([item])
                except DatabaseError as error:
                    self._reset_caches()
                    reason = "not saved: " + " ".join(str(error).split())
                    self.fail(item.path, item.line, reason, external_id=item.key[1])
        self._count(outcomes)
        forget_queries()

    # --- deferred items (see the module docstring) --------------------------------------------------

    def _defer(self, deferred: Deferred, path: Path, format_name: str) -> _Unbuilt:
        source = (self.default_source or format_name).strip()
        external_id = deferred.external_id.strip()
        parts = [_code_fingerprint(), format_name, source, self.default_status, deferred.digest]
        fingerprint = hashlib.sha256("\0".join(parts).encode()).hexdigest()
        return _Unbuilt(deferred, path, format_name, source, external_id, fingerprint)

    def _expecting_new(self, source: str) -> bool:
        if self._expect_new is None:
            # external_id != "": the predicate of the (partial) unique index on (source, external_id)
            self._expect_new = not Article.objects.filter(source=source).exclude(external_id="").exists()
        return self._expect_new

    def _build(self, item: _Unbuilt) -> Item | None:
        """The item's record, validated, or None when it failed (reported once, however often asked)."""
        if item.built is None and not item.failed:
            record = item.deferred.build()
            if not isinstance(record, Record):  # the Failure read() would have yielded
                item.failed = True
                self.fail(item.path, record.line, record.reason, external_id=item.external_id)
                return None
            try:
                item.built = self._prepare(record, item.path, item.format_name)
            except RecordInvalid as error:
                item.failed = True
                self.fail(item.path, record.line, str(error), external_id=item.external_id)
                return None
            item.built.fingerprint = item.fingerprint
        return item.built

    def _fingerprint_decides(self, item: _Unbuilt, row: dict | None) -> bool:
        """
        Whether `item`'s outcome is known without its record: its article exists and stores the same
        fingerprint (so the record would be the one last imported, checksum and version included), and
        the outcome is unchanged or kept local edits, not an update with the same record: an edited
        article with --overwrite-local-edits, or a lead image that is not attached but may be due
        (_image_due): one named by URL with --fetch-images, one named by path (the file may be there now).
        """
        if row is None:
            return False
        fingerprint, _, image = row["import_fingerprint"].partition(":")
        if fingerprint != item.fingerprint:
            return False
        if _edited(row):
            return not self.overwrite_local_edits
        if not image or row["lead_image_id"] is not None:
            return True
        return image == "url" and not self.fetch_images

    # --- validation --------------------------------------------------------------------------------

    def _prepare(self, record: Record, path: Path, format_name: str) -> Item:
        headline = " ".join(record.headline.split())
        if not headline:
            raise RecordInvalid("no headline")
        if len(headline) > HEADLINE_MAX:
            raise RecordInvalid(f"headline is {len(headline)} characters long; the limit is {HEADLINE_MAX}")
        external_id = record.external_id = record.external_id.strip()
        if not external_id:
            raise RecordInvalid("no external_id")
        _max(external_id, EXTERNAL_ID_MAX, "external_id")
        source = (record.source or self.default_source or format_name).strip()
        _max(source, SOURCE_MAX, "source")
        status = record.status or self.default_status
        if status not in STATUSES:
            raise RecordInvalid(f"unknown status {status!r}; expected one of {', '.join(Status.values)}")
        if status == Status.SCHEDULED and record.published_at is None:
            raise RecordInvalid("a scheduled article needs a publication date")
        if record.slug:
            _max(record.slug, SLUG_MAX, "slug")
            try:
                validate_unicode_slug(record.slug)
            except ValidationError:
                raise RecordInvalid(f"slug {record.slug!r} is not a valid slug") from None
        _max(record.section, SECTION_MAX, "section name")
        for author in record.authors:
            if not author.name.strip():
                raise RecordInvalid("an author has no name")
            _max(author.name.strip(), AUTHOR_MAX, "author name")
            if author.slug:
                _max(author.slug, AUTHOR_SLUG_MAX, "author slug")
                try:
                    validate_unicode_slug(author.slug)
                except ValidationError:
                    raise RecordInvalid(f"author slug {author.slug!r} is not a valid slug") from None
            if author.role not in ROLES:
                raise RecordInvalid(
                    f"unknown byline role {author.role!r}; expected one of {', '.join(Byline.Role.values)}"
                )
        for name in record.tags:
            _check_tag(name)
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

    # --- writing -----------------------------------------------------------------------------------

    def _plan(self, items: list[Item | _Unbuilt], *, lock: bool):
        """
        Split `items` into outcomes, creates and updates (with their existing rows), and the fingerprints
        to store for unchanged articles, as (pk, fingerprint).
        """
        items = [item for item in items if not item.failed]
        if not items:
            return [], [], [], []
        existing = _existing(items)
        if lock:
            existing = existing.select_for_update()
        rows = {
            (row["source"], row["external_id"]): row
            for row in existing.values(
                "pk", "source", "external_id", "slug", "import_checksum", "version", "imported_version",
                "published_at", "source_version", "lead_image_id", "lead_image_source", "import_fingerprint",
            )
        }  # fmt: skip
        # Build the next deferred items at once while nearly all of a batch is new: an existing article's
        # item built for nothing costs ten times more than a new one's parsed again.
        self._expect_new = len(rows) <= len(items) // 16
        outcomes, creates, updates, fingerprints = [], [], [], []
        for item in items:
            row = rows.get(item.key)
            if isinstance(item, _Unbuilt):
                if self._fingerprint_decides(item, row):
                    outcomes.append((item, KEPT_LOCAL_EDITS if _edited(row) else UNCHANGED))
                    continue
                item = self._build(item)  # its article changed since flush() looked
                if item is None or item.failed:
                    continue
            if row is None:
                creates.append(item)
                continue
            if item.source_version is not None and (row["source_version"] or 0) > item.source_version:
                outcomes.append((item, OLDER_VERSION))
                continue
            edited = _edited(row)
            if edited and not self.overwrite_local_edits:
                outcomes.append((item, KEPT_LOCAL_EDITS))
            elif not edited and row["import_checksum"] == item.checksum and not self._image_due(item, row):
                outcomes.append((item, UNCHANGED))
                if item.fingerprint and row["import_fingerprint"] != _stored_fingerprint(item):
                    fingerprints.append((row["pk"], _stored_fingerprint(item)))
            else:
                updates.append((item, row))
        # Tag lines are split (and every tag name checked) and URLs validated only for what will be
        # written: a re-import of unchanged records skips the costliest checks (it passed them before).
        for item in [*creates, *(item for item, _ in updates)]:
            try:
                item.tag_names = self._tag_names(item)
                _check_url(item.record.canonical_url)
            except RecordInvalid as error:
                item.failed = True
                self.fail(item.path, item.record.line, str(error), external_id=item.key[1])
        creates = [item for item in creates if not item.failed]
        updates = [(item, row) for item, row in updates if not item.failed]
        outcomes += [(item, CREATED) for item in creates] + [(item, UPDATED) for item, _ in updates]
        return outcomes, creates, updates, fingerprints

    def _write(self, items: list[Item | _Unbuilt]):
        outcomes, creates, updates, fingerprints = self._plan(items, lock=True)
        self._last_batch_created = bool(creates)
        if fingerprints:  # unchanged articles: only the fingerprint, no new version, revision or cache purge
            _store_fingerprints(fingerprints)
        written = creates + [item for item, _ in updates]
        if not written:
            return outcomes
        sections = self._sections([item.record.section for item in written])
        authors = self._authors([author for item in written for author in item.record.authors])
        tags = self._tags([name for item in written for name in item.tag_names])
        now = timezone.now()
        stored = []  # lead images stored in this batch: their files go if the batch does not commit
        try:
            return self._write_articles(outcomes, creates, updates, sections, authors, tags, now, stored)
        except BaseException:
            for storage, names in stored:
                for name in names:
                    storage.delete(name)
            raise

    def _write_articles(self, outcomes, creates, updates, sections, authors, tags, now, stored):
        with db_triggers.search_vectors_written(connection):
            self._write_rows(creates, updates, sections, authors, tags, now, stored)
        # Bulk writes send no model signals; this one says the batch's articles changed (the public page
        # cache listens), without the importer knowing the web layer.
        signals.articles_bulk_changed.send(sender=Article)
        return outcomes

    def _write_rows(self, creates, updates, sections, authors, tags, now, stored):
        """
        The batch's rows. The search vectors (PostgreSQL) are written here, not by the triggers: a new
        article's, tag names included, in its INSERT (so the row is not rewritten when its tag links
        follow); those of updated articles once their new tag links are in.
        """
        tag_ids = {  # each article's tags, deduplicated, in the file's order
            item.key: list(dict.fromkeys(tags[name.casefold()] for name in item.tag_names))
            for item in [*creates, *(item for item, _ in updates)]
        }
        new_articles, search_tags, body_vectors = [], [], []
        for item in creates:
            article = self._article(item, sections, now, published_at=None)
            article.version = article.imported_version = 1
            article.created_at = now
            self._lead_image(article, item, None, stored)
            new_articles.append(article)
            search_tags.append(" ".join(sorted(self._tag_names_by_id[tag] for tag in tag_ids[item.key])))
            body_vectors.append(item.body_vector)
        self._assign_slugs(new_articles)
        insert_articles(new_articles, search_tags=search_tags, body_vectors=body_vectors)

        changed = []
        for item, row in updates:
            article = self._article(item, sections, now, published_at=row["published_at"])
            article.pk, article.slug = row["pk"], row["slug"]  # an update keeps the article's URL
            article.version = article.imported_version = row["version"] + 1
            self._lead_image(article, item, row, stored)
            changed.append(article)
        if changed:
            Article.objects.bulk_update(changed, UPDATE_FIELDS)
            ids = [article.pk for article in changed]
            Byline.objects.filter(article_id__in=ids).delete()
            TaggedArticle.objects.filter(content_object_id__in=ids).delete()

        # Every save is a revision, imports included: the editors' history starts with what came in. The
        # snapshots are built from what this batch writes (names as stored, from the lookups above).
        numbers = Revision.latest_numbers([article.pk for article in changed]) if changed else {}
        bylines, links, revisions = [], [], []
        for item, article in zip(
            [*creates, *(i for i, _ in updates)], [*new_articles, *changed], strict=True
        ):
            article_bylines, seen = [], set()
            for position, ref in enumerate(item.record.authors):
                author_id = authors[_author_key(ref)]
                if (author_id, ref.role) not in seen:
                    seen.add((author_id, ref.role))
                    article_bylines.append((author_id, self._author_names[author_id], ref.role, position))
            bylines += [
                (article.pk, author_id, role, position) for author_id, _, role, position in article_bylines
            ]
            links += [(article.pk, tag_id) for tag_id in tag_ids[item.key]]
            content = snapshot(
                article,
                section_name=self._section_names.get(article.section_id, ""),
                bylines=article_bylines,
                tags=[self._tag_names_by_id[tag_id] for tag_id in tag_ids[item.key]],
            )
            revisions.append(
                (article.pk, numbers.get(article.pk, 0) + 1, article.version, now, content, "Imported")
            )
        insert_rows(Byline, ["article", "author", "role", "position"], bylines)
        insert_rows(TaggedArticle, ["content_object", "tag"], links)
        insert_rows(
            Revision, ["article", "number", "version", "created_at", "snapshot", "comment"], revisions
        )
        if changed and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE articles_article SET search_vector ="
                    " articles_search_document(id, headline, dek, body) WHERE id = ANY(%s)",
                    [[article.pk for article in changed]],
                )

    def _article(self, item: Item, sections, now, *, published_at) -> Article:
        record = item.record
        if item.status == Status.PUBLISHED:
            published_at = record.published_at or published_at or now
        else:
            published_at = record.published_at
        return Article(
            headline=item.headline,
            slug=record.slug,
            dek=record.dek.strip(),
            body=item.body if item.body is not None else _sanitized_body(record),
            section_id=sections.get(record.section.strip().casefold()),
            status=item.status,
            published_at=published_at,
            publish_at=record.published_at if item.status == Status.SCHEDULED else None,
            updated_at=record.updated_at,
            source=item.source,
            external_id=record.external_id,
            canonical_url=record.canonical_url,
            import_checksum=item.checksum,
            import_fingerprint=_stored_fingerprint(item),
            modified_at=now,
            source_version=item.source_version,
        )

    # --- lead images (issue 5: images named in imports) ---------------------------------------------

    def _image_due(self, item: Item, row: dict) -> bool:
        """
        An unchanged record whose lead image is not attached yet but could be now: a remote URL with
        --fetch-images, or a local file that exists (fixed since the last run). Such a record is updated.
        """
        entry = item.record.lead_image
        if not entry or row["lead_image_id"] is not None:
            return False
        if lead_images.is_remote(entry):
            return self.fetch_images
        try:
            return lead_images.local_file(entry, item.path).is_file()
        except lead_images.ImageProblem:
            return False

    def _lead_image(self, article: Article, item: Item, row: dict | None, stored: list) -> None:
        """
        Set `article`'s lead image from the record: the image already attached from the same source is
        kept (never processed twice); otherwise a new one is ingested. One that cannot be attached is
        reported as ``path:line: lead image SOURCE: reason``; the article keeps what it had.
        """
        if row is not None:
            article.lead_image_id, article.lead_image_source = row["lead_image_id"], row["lead_image_source"]
        entry = item.record.lead_image
        if not entry:
            return
        source = lead_images.source(entry)
        if row is not None and row["lead_image_id"] is not None and row["lead_image_source"] == source:
            return
        try:
            if len(source) > LEAD_IMAGE_SOURCE_MAX:
                raise lead_images.ImageProblem(f"the name is over {LEAD_IMAGE_SOURCE_MAX} characters long")
            image = lead_images.attach(entry, item.path, headline=item.headline, fetch=self.fetch_images)
        except lead_images.ImageProblem as error:
            reason = f"lead image {source[:200]}: {error}"
            self.fail(item.path, item.line, reason, count=IMAGE_NOT_ATTACHED, external_id=item.key[1])
            return
        if image is None:  # a remote URL, recorded for --fetch-images or an editor
            if article.lead_image_id is None:
                article.lead_image_source = source
            return
        stored.append((image.file.storage, [image.file.name, *(r.file.name for r in image.renditions.all())]))
        article.lead_image_id, article.lead_image_source = image.pk, source

    def _assign_slugs(self, articles: list[Article]) -> None:
        bases = [slug_base(a.slug or a.headline, max_length=SLUG_MAX, fallback="article") for a in articles]
        taken = set(Article.objects.filter(slug__in=set(bases)).values_list("slug", flat=True))
        used: set[str] = set()
        for article, base in zip(articles, bases, strict=True):
            if base in taken or base in used:
                base = unique_slug(Article, base, max_length=SLUG_MAX, fallback="article", also_taken=used)
            article.slug = base
            used.add(base)

    def _count(self, outcomes) -> None:
        with self._lock:
            for item, outcome in outcomes:
                self.counts[outcome] += 1
                self.on_outcome(item.path, item.line, item.key[1], outcome, "")

    # --- related rows: sections, authors, tags -----------------------------------------------------

    def _reset_caches(self) -> None:
        self._section_ids: dict[str, int] = {}
        self._author_ids: dict[tuple, int] = {}
        self._tag_ids: dict[str, int] = {}
        # Names as stored, by primary key, for the revision snapshots.
        self._section_names: dict[int, str] = {}
        self._author_names: dict[int, str] = {}
        self._tag_names_by_id: dict[int, str] = {}
        self._vocabulary: set[str] | None = None

    def _tag_names(self, item: Item) -> list[str]:
        names = [" ".join(name.split()) for name in item.record.tags]
        if item.record.raw_tag_line:
            if self._vocabulary is None:
                # The whole vocabulary, once per run: the splitter's best evidence.
                self._vocabulary = {name.casefold() for name in Tag.objects.values_list("name", flat=True)}
            text = f"{item.headline}\n{item.record.body_html}"
            names += split_tags(item.record.raw_tag_line, text=text, vocabulary=self._vocabulary)
        unique: dict[str, str] = {}
        for name in names:  # one tag per case-insensitive name, spelled as first seen
            if name:
                unique.setdefault(name.casefold(), name)
        for name in unique.values():
            _check_tag(name)
        return list(unique.values())

    def _sections(self, names: list[str]) -> dict[str, int]:
        wanted = {name.strip().casefold(): name.strip() for name in names if name.strip()}
        missing = [key for key in wanted if key not in self._section_ids]
        if missing:
            slugs = {slug_base(wanted[key], max_length=100, fallback="section"): key for key in missing}
            for pk, name, slug in (
                Section.objects.annotate(lname=Lower("name"))
                .filter(Q(lname__in=_lower_forms(wanted[key] for key in missing)) | Q(slug__in=slugs))
                .values_list("pk", "name", "slug")
            ):
                self._section_ids.setdefault(name.casefold(), pk)
                self._section_names[pk] = name
                if slug in slugs:
                    self._section_ids.setdefault(slugs[slug], pk)
            for key in missing:
                if key not in self._section_ids:
                    section = Section.objects.create(name=wanted[key])
                    self._section_ids[key] = section.pk
                    self._section_names[section.pk] = section.name
        return {key: self._section_ids[key] for key in wanted}

    def _authors(self, refs) -> dict[tuple, int]:
        wanted = {_author_key(ref): ref for ref in refs}
        missing = {key: ref for key, ref in wanted.items() if key not in self._author_ids}
        if missing:
            slugs = {
                ref.slug or slug_base(ref.name, max_length=AUTHOR_SLUG_MAX, fallback="author")
                for ref in missing.values()
            }
            names = _lower_forms(ref.name.strip() for ref in missing.values() if not ref.slug)
            found_slug, found_name = {}, {}
            for pk, name, slug in (
                Author.objects.annotate(lname=Lower("name"))
                .filter(Q(slug__in=slugs) | Q(lname__in=names))
                .order_by("pk")
                .values_list("pk", "name", "slug")
            ):
                found_slug[slug] = pk
                found_name.setdefault(name.casefold(), pk)
                self._author_names[pk] = name
            new = {}
            for key, ref in missing.items():
                if ref.slug:
                    pk = found_slug.get(ref.slug)
                else:
                    pk = found_name.get(ref.name.strip().casefold()) or found_slug.get(
                        slug_base(ref.name, max_length=AUTHOR_SLUG_MAX, fallback="author")
                    )
                if pk is not None:
                    self._author_ids[key] = pk
                else:
                    slug = ref.slug or slug_base(ref.name, max_length=AUTHOR_SLUG_MAX, fallback="author")
                    if slug in new or slug == "author":
                        slug = unique_slug(
                            Author, ref.name, max_length=AUTHOR_SLUG_MAX, fallback="author", also_taken=new
                        )
                    new[slug] = (key, Author(name=ref.name.strip(), slug=slug))
            if new:
                Author.objects.bulk_create([author for _, author in new.values()])
                for key, author in new.values():
                    self._author_ids[key] = author.pk
                    self._author_names[author.pk] = author.name
        return {key: self._author_ids[key] for key in wanted}

    def _tags(self, names: list[str]) -> dict[str, int]:
        wanted = {}
        for name in names:  # the first spelling seen names a new tag
            wanted.setdefault(name.casefold(), name)
        missing = {key: name for key, name in wanted.items() if key not in self._tag_ids}
        if missing:
            slugs = {}
            for key, name in missing.items():
                slugs.setdefault(_tag_slug(name), key)
            by_name, by_slug = {}, {}
            for pk, name, slug in (
                Tag.objects.annotate(lname=Lower("name"))
                .filter(Q(lname__in=_lower_forms(missing.values())) | Q(slug__in=list(slugs)))
                .values_list("pk", "name", "slug")
            ):
                by_name[name.casefold()] = pk
                by_slug[slug] = pk
                self._tag_names_by_id[pk] = name
            # A tag merged into another (merge_tags) must not come back: its slug leads to the target.
            merged = {}
            for old_slug, target_id, target_name in TagRedirect.objects.filter(
                old_slug__in=list(slugs)
            ).values_list("old_slug", "target_id", "target__name"):
                merged[old_slug] = target_id
                self._tag_names_by_id[target_id] = target_name
            new = {}
            for key, name in missing.items():
                slug = _tag_slug(name)
                pk = by_name.get(key) or by_slug.get(slug) or merged.get(slug)
                if pk is not None:
                    self._tag_ids[key] = pk
                elif slug in new:  # "C.I.A." and "CIA" arriving together: one tag
                    new[slug][0].append(key)
                else:
                    new[slug] = ([key], Tag(name=name, slug=slug))
            if new:
                Tag.objects.bulk_create([tag for _, tag in new.values()])
                for keys, tag in new.values():
                    self._tag_names_by_id[tag.pk] = tag.name
                    for key in keys:
                        self._tag_ids[key] = tag.pk
                    if self._vocabulary is not None:
                        self._vocabulary.add(tag.name.casefold())
        return {key: self._tag_ids[key] for key in wanted}


class _Stage(threading.Thread):
    """One stage of the importer's pipeline: runs `work` on each batch in order, on its own connection."""

    def __init__(self, name: str, work: Callable[[Any], None]):
        super().__init__(name=name, daemon=True)
        self.work = work
        self.batches: queue.Queue[Any] = queue.Queue(maxsize=1)  # a batch; None: the end
        self.error: BaseException | None = None
        self.abandoned = False
        self.start()

    def run(self) -> None:
        try:
            while (items := self.batches.get()) is not None:
                if self.error is None and not self.abandoned:
                    try:
                        self.work(items)
                    except BaseException as error:  # re-raised in the caller's thread
                        self.error = error
        finally:
            connections.close_all()  # this thread's connections only

    def submit(self, batch) -> None:
        self._reraise()
        self.batches.put(batch)  # waits while a batch is already in line

    def close(self) -> None:
        self.batches.put(None)
        self.join()
        self._reraise()

    def stop(self) -> None:
        """After `abandoned` is set: drop the batches in line and wait for the one being worked on."""
        with contextlib.suppress(queue.Empty):
            while True:
                self.batches.get_nowait()
        self.batches.put(None)
        self.join()

    def _reraise(self) -> None:
        if self.error is not None:
            raise self.error


# Values of these field types go to the driver as they are (str, int, bool, aware datetime, None);
# get_db_prep_save() would return them unchanged, at a cost that dominated bulk_create here.
_PLAIN_FIELDS = (
    models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.DateTimeField,
    models.ForeignKey,
)  # fmt: skip


def insert_articles(objs: list[Article], *, search_tags: list[str], body_vectors: list[bytes | None]) -> None:
    """
    Article.objects.bulk_create(objs), setting their primary keys; on PostgreSQL one
    INSERT ... SELECT FROM unnest(arrays) RETURNING, with values read straight from the instances, and
    each article's search vector computed from its fields and `search_tags` (its tag names, one string
    per article) in the same statement, with the body's part taken from `body_vectors` where one was
    computed ahead (binary form; None: computed here). Like bulk_create it calls no save() and sends no
    signals; auto_now fields are filled (pre_save).
    """
    if not objs:
        return
    if connection.vendor != "postgresql":
        Article.objects.bulk_create(objs)
        return
    fields = [f for f in Article._meta.concrete_fields if not f.primary_key]
    columns = []
    for f in fields:
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
            columns.append([f.pre_save(obj, True) for obj in objs])
        elif isinstance(f, _PLAIN_FIELDS):
            columns.append([getattr(obj, f.attname) for obj in objs])
        else:
            columns.append([f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in objs])
    table = connection.ops.quote_name(Article._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    arrays = ", ".join([*(f"%b::{_array_type(f)}[]" for f in fields), "%b::text[]", "%b::tsvector[]"])
    pk = connection.ops.quote_name(Article._meta.pk.column)
    # articles_search_text(headline, dek, tags, body), its body part possibly computed ahead.
    document = (
        "articles_search_head(u.headline, u.dek, u.search_tags)"
        " || coalesce(u.body_vector, articles_search_body(u.body))"
    )
    ids = [
        row[0]
        for row in _execute_binary(
            f"INSERT INTO {table} ({names}, search_vector)"
            f" SELECT {', '.join('u.' + name for name in names.split(', '))}, {document}"
            f" FROM unnest({arrays}) AS u({names}, search_tags, body_vector)"
            f" RETURNING {pk}",
            [*columns, search_tags, body_vectors],
        )
    ]
    # PostgreSQL returns the rows of INSERT ... SELECT FROM unnest() in input order (Django's own
    # bulk_create relies on the same); check the count at least.
    if len(ids) != len(objs):
        raise DatabaseError(f"inserted {len(ids)} rows for {len(objs)} objects")
    for obj, pk_value in zip(objs, ids, strict=True):
        obj.pk = pk_value
        obj._state.adding = False
        obj._state.db = connection.alias


def _existing(items: list[Item]):
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


def _array_type(field) -> str:
    # varchar(n)[] casts would re-check lengths the validation already checked; text[] is the same data.
    db_type = field.db_type(connection)
    return "text" if db_type.startswith("varchar") else db_type


def insert_rows(model, field_names: list[str], rows: list[tuple]) -> None:
    """
    INSERT `rows` (values for `field_names`) into `model`'s table in one statement, without model
    instances: for bylines and tag links, building instances was most of bulk_create's time. Other
    concrete fields get their defaults. PostgreSQL: INSERT ... SELECT FROM unnest(arrays); elsewhere
    executemany. Only for rows that need no save() logic and no primary key back.
    """
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in field_names]
    extra = [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in field_names and f.has_default()
    ]
    columns = [*fields, *extra]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in extra)
    prepared = [i for i, f in enumerate(fields) if not isinstance(f, _PLAIN_FIELDS)]  # e.g. JSON
    if prepared:
        rows = [
            tuple(
                fields[i].get_db_prep_save(v, connection) if i in prepared else v for i, v in enumerate(row)
            )
            for row in rows
        ]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%b::{_array_type(f)}[]" for f in columns)
        params = [list(column) for column in zip(*(row + defaults for row in rows), strict=True)]
        _execute_binary(f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays})", params)
    else:
        placeholders = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({placeholders})", [row + defaults for row in rows]
            )


def _store_fingerprints(fingerprints: list[tuple[int, str]]) -> None:
    """Set import_fingerprint of articles by primary key, in one statement (bulk_update's CASE is slow)."""
    table = connection.ops.quote_name(Article._meta.db_table)
    pk = connection.ops.quote_name(Article._meta.pk.column)
    if connection.vendor == "postgresql":
        pk_type = Article._meta.pk.rel_db_type(connection)
        ids, values = (list(column) for column in zip(*fingerprints, strict=True))
        _execute_binary(
            f"UPDATE {table} AS a SET import_fingerprint = u.fingerprint"
            f" FROM unnest(%b::{pk_type}[], %b::text[]) AS u(id, fingerprint) WHERE a.{pk} = u.id",
            [ids, values],
        )
    else:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET import_fingerprint = %s WHERE {pk} = %s",
                [(value, id_) for id_, value in fingerprints],
            )


def _execute_binary(sql: str, params: list, *, binary_results: bool = False) -> list[tuple]:
    """
    Run `sql` on PostgreSQL with its parameters bound server-side in binary (%b placeholders).
    Django's cursors bind client-side, quoting every array element into the SQL text: for a batch
    of article bodies that quoting was the largest cost of the insert. Same connection and
    transaction as Django's; errors are translated to django.db errors. `binary_results`: results in
    binary too (types psycopg has no loader for, such as tsvector, come back as bytes).
    """
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.adapters.register_dumper(_Tsvector, _tsvector_dumper())
        cursor.execute(sql, params, binary=binary_results)
        return cursor.fetchall() if cursor.description else []


class _Tsvector(bytes):
    """A tsvector in PostgreSQL's binary format, as the server sent it (passed back unchanged)."""


@functools.cache
def _tsvector_dumper():
    from psycopg.adapt import Dumper
    from psycopg.postgres import types
    from psycopg.pq import Format

    class TsvectorDumper(Dumper):
        format = Format.BINARY
        oid = types.get("tsvector").oid

        def dump(self, obj):
            return obj

    return TsvectorDumper


def checksum(record: Record, *, source: str, status: str, headline: str) -> str:
    payload = [
        source, record.external_id, headline, record.slug, record.dek.strip(), record.body_html,
        record.section.strip(), [(a.name.strip(), a.slug, a.role) for a in record.authors], record.tags,
        record.raw_tag_line, status, _iso(record.published_at), _iso(record.updated_at),
        record.canonical_url, record.lead_image, record.version,
    ]  # fmt: skip
    encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


def _sanitized_body(record: Record) -> str:
    return record.body_html if record.body_sanitized else sanitize_html(record.body_html)


def _stored_fingerprint(item: Item) -> str:
    """
    What import_fingerprint keeps for `item`: its fingerprint, with ":url" or ":file" appended when its
    record names a lead image by URL or by a path beside the import file (see _fingerprint_decides).
    """
    if not item.fingerprint or not item.record.lead_image:
        return item.fingerprint
    return f"{item.fingerprint}:{'url' if lead_images.is_remote(item.record.lead_image) else 'file'}"


def _edited(row: dict) -> bool:
    """Was the article changed in the CMS since an import wrote it (or never imported)?"""
    return row["imported_version"] is None or row["version"] != row["imported_version"]


@functools.cache
def _code_fingerprint() -> str:
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


def _iso(value):
    return value.isoformat() if value is not None else None


def _max(value: str, limit: int, what: str) -> None:
    if len(value) > limit:
        raise RecordInvalid(f"{what} is {len(value)} characters long; the limit is {limit}")


def _check_url(url: str) -> None:
    if url:
        try:
            _validate_url(url)
        except ValidationError:
            raise RecordInvalid(f"canonical_url {url!r} is not a valid URL") from None


def _check_tag(name: str) -> None:
    if len(name) <= TAG_MAX and name.strip():
        return
    if not name.strip():
        raise RecordInvalid("an empty tag name")
    _max(name.strip(), TAG_MAX, f"tag {name[:30]!r}...")


def _tag_slug(name: str) -> str:
    return slug_base(name, max_length=TAG_SLUG_MAX, fallback="tag")


def refresh_statistics() -> None:
    """
    ANALYZE the article table on PostgreSQL when a large share of it changed since the last ANALYZE.

    The existing-article lookup is planned from the table's statistics. During a large import (or a
    re-import right after one, before autovacuum caught up) they describe a much smaller table: the
    planner then scans by source alone and reads the whole table for every batch (quadratic time).
    Checked at the first batch and every STATISTICS_EVERY batches; skipped if not permitted.
    """
    if connection.vendor != "postgresql":
        return
    table = Article._meta.db_table
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT n_live_tup, n_mod_since_analyze FROM pg_stat_user_tables WHERE relid = %s::regclass",
                [table],
            )
            row = cursor.fetchone()
            if row and row[1] > max(1000, 0.2 * row[0]):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    except DatabaseError:
        pass  # not the table's owner: the lookups are slower, the import still correct


def forget_queries() -> None:
    """
    With DEBUG on, Django keeps the last 9,000 queries with their parameters; for batch inserts that is
    hundreds of megabytes. Drop them after each batch, unless a test is capturing queries.
    """
    if settings.DEBUG and not connection.force_debug_cursor:
        connection.queries_log.clear()


def _lower_forms(names) -> list[str]:
    """
    What the database's LOWER() may have made of these names: their casefold (the cache key) and their
    lower() differ for some letters ("Straße": "strasse" / "straße"), and the unique index on tag
    names uses LOWER(); looking up both finds the row that index would clash with.
    """
    forms = set()
    for name in names:
        forms.update((name.casefold(), name.lower()))
    return sorted(forms)


def _author_key(ref) -> tuple:
    return ("slug", ref.slug) if ref.slug else ("name", ref.name.strip().casefold())
