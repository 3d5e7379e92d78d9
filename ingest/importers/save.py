"""
The one save path for every import format: records in, articles out, in batches. The orchestration of
the stages, each in its module: build (``validation``), match (``fingerprints``), related rows
(``related_rows``), write (``sql``), and the background pipeline that runs them (``stages``). About 500
lines: the batch state machine (buffers, the two pipeline threads, retries one by one) stays in one class.

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
3. sections, authors and tags of the written records (``related_rows``);
4. articles with ``bulk_create`` / ``bulk_update``, then their bylines and tag links.

Bulk writes bypass ``Article.save()``, so what it would do is done here and in ``article_rows`` (bodies
sanitized, slugs unique, lead images attached): ``version`` is set here, +1 on every update, with
``imported_version`` equal to it.

Atomicity: a batch is all-or-nothing, so a crash or Ctrl-C never leaves half an article (its rows are
in the rolled-back transaction), and a re-run finds the committed batches unchanged and finishes the
rest. If the database refuses a batch (a constraint the validation could not foresee, a concurrent
writer), the batch is retried one article per transaction: the bad article is reported and skipped,
the others commit.

Lead images named by records are attached to the articles written (``article_rows``); one that cannot be
is reported (``lead images not attached``), the article is still written. Files stored for a batch that
does not commit are deleted.

Deferred items (``ingest.importers.Deferred``) are matched by their fingerprint before their record is
built, if it is built at all: see ``fingerprints``.
"""

from __future__ import annotations

import functools
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from articles import db_triggers, signals
from articles.models import Article, Byline, Revision, Status, TaggedArticle, snapshot
from ingest.importers import Deferred, Record
from ingest.importers.article_rows import (
    UPDATE_FIELDS,
    assign_slugs,
    build_article,
    image_due,
    sanitized_body,
    set_lead_image,
)
from ingest.importers.fingerprints import (
    Unbuilt,
    defer,
    edited,
    existing_articles,
    fingerprint_decides,
    stored_fingerprint,
)
from ingest.importers.related_rows import RelatedRows, author_key
from ingest.importers.sql import (
    body_search_vectors,
    forget_queries,
    insert_articles,
    insert_rows,
    refresh_statistics,
    store_fingerprints,
    update_search_vectors,
)
from ingest.importers.stages import Stage
from ingest.importers.validation import Item, RecordInvalid, check_url, prepare

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
KEPT_LOCAL_EDITS = "kept local edits"
OLDER_VERSION = "older version ignored"  # a wire item older than the version already imported
FAILED = "failed"
IMAGE_NOT_ATTACHED = "lead images not attached"  # reported; the article itself is imported

BATCH_SIZE = 500
STATISTICS_EVERY = 20  # batches between checks that the planner's statistics are fresh enough


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
        self._pending: list[Item | Unbuilt] = []
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
        self._stages: list[Stage] = []  # the background pipeline, once started: [vectors, writer]
        self._related = RelatedRows()

    # --- the public side ---------------------------------------------------------------------------

    def add(self, record: Record | Deferred, *, path: Path, format_name: str = "") -> None:
        if isinstance(record, Deferred):
            item = defer(
                record,
                path,
                format_name,
                default_source=self.default_source,
                default_status=self.default_status,
            )
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
        if any(isinstance(item, Unbuilt) for item in items):
            items, existing = self._resolve(items)
            if not items:
                return
        if self.dry_run:
            self._count(self._plan(items, lock=False)[0])
        elif self._stages or (
            self._background and connection.vendor == "postgresql" and not connection.in_atomic_block
        ):
            if not self._stages:
                writer = Stage("import-writer", self._write_batch)
                vectors = Stage("import-vectors", functools.partial(self._vectors_then, writer))
                self._stages = [vectors, writer]
            self._stages[0].submit((items, existing))
        else:
            self._write_batch(items)

    def _vectors_then(self, writer: Stage, batch: tuple[list[Item | Unbuilt], set | None]) -> None:
        items, existing = batch
        if self._last_batch_created:
            self._search_vectors_ahead(items, existing)
        writer.submit(items)

    def _resolve(self, items: list[Item | Unbuilt]) -> tuple[list[Item | Unbuilt], set]:
        """
        Before a batch is handed on: build every deferred item whose fingerprint does not tell its outcome
        (one unlocked lookup; the writer decides again under lock). Returns the batch without the items
        that failed to build, and the keys of the batch's articles that exist.
        """
        rows = {
            (row["source"], row["external_id"]): row
            for row in existing_articles(items).values(
                "source", "external_id", "import_fingerprint", "version", "imported_version", "lead_image_id"
            )
        }
        resolved = []
        for item in items:
            if isinstance(item, Unbuilt) and not self._fingerprint_decides(item, rows.get(item.key)):
                item = self._build(item)
                if item is None:
                    continue
            resolved.append(item)
        return resolved, set(rows)

    def _search_vectors_ahead(self, items: list[Item | Unbuilt], existing: set | None = None) -> None:
        """
        The pipeline's first stage: compute the body search vectors of the batch's new articles on its
        own connection before handing the batch to the writer, so the costliest part of the database's
        work (to_tsvector of every body) runs beside the writer's transaction and the caller's parsing
        instead of inside either. Only a hint: which articles are new is decided again, under lock, by the
        writer, which computes any vector missing here in its INSERT.
        """
        if existing is None:
            existing = set(existing_articles(items).values_list("source", "external_id"))
        new = [item for item in items if isinstance(item, Item) and item.key not in existing]
        if not new:
            return
        for item in new:
            item.body = sanitized_body(item.record)
        try:
            vectors = body_search_vectors([item.body for item in new])
        except DatabaseError:
            return  # e.g. a body too long for a tsvector: the writer meets it again and reports that article
        for item, vector in zip(new, vectors, strict=True):
            item.body_vector = vector

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
            self._related = RelatedRows()  # its caches may name rows of the rolled-back batch
            outcomes = []
            for item in items:
                try:
                    with transaction.atomic():
                        outcomes += self._write([item])
                except DatabaseError as error:
                    self._related = RelatedRows()
                    reason = "not saved: " + " ".join(str(error).split())
                    self.fail(item.path, item.line, reason, external_id=item.key[1])
        self._count(outcomes)
        forget_queries()

    # --- deferred items (see ingest.importers.fingerprints) -------------------------------------------

    def _expecting_new(self, source: str) -> bool:
        if self._expect_new is None:
            # external_id != "": the predicate of the (partial) unique index on (source, external_id)
            self._expect_new = not Article.objects.filter(source=source).exclude(external_id="").exists()
        return self._expect_new

    def _build(self, item: Unbuilt) -> Item | None:
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

    def _fingerprint_decides(self, item: Unbuilt, row: dict | None) -> bool:
        return fingerprint_decides(
            item, row, overwrite_local_edits=self.overwrite_local_edits, fetch_images=self.fetch_images
        )

    def _prepare(self, record: Record, path: Path, format_name: str) -> Item:
        return prepare(
            record, path, format_name, default_source=self.default_source, default_status=self.default_status
        )

    # --- writing -----------------------------------------------------------------------------------

    def _plan(self, items: list[Item | Unbuilt], *, lock: bool):
        """
        Split `items` into outcomes, creates and updates (with their existing rows), and the fingerprints
        to store for unchanged articles, as (pk, fingerprint).
        """
        items = [item for item in items if not item.failed]
        if not items:
            return [], [], [], []
        existing = existing_articles(items)
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
            if isinstance(item, Unbuilt):
                if self._fingerprint_decides(item, row):
                    outcomes.append((item, KEPT_LOCAL_EDITS if edited(row) else UNCHANGED))
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
            is_edited = edited(row)
            if is_edited and not self.overwrite_local_edits:
                outcomes.append((item, KEPT_LOCAL_EDITS))
            elif (
                not is_edited
                and row["import_checksum"] == item.checksum
                and not image_due(item, row, fetch=self.fetch_images)
            ):
                outcomes.append((item, UNCHANGED))
                if item.fingerprint and row["import_fingerprint"] != stored_fingerprint(item):
                    fingerprints.append((row["pk"], stored_fingerprint(item)))
            else:
                updates.append((item, row))
        # Tag lines are split (and every tag name checked) and URLs validated only for what will be
        # written: a re-import of unchanged records skips the costliest checks (it passed them before).
        for item in [*creates, *(item for item, _ in updates)]:
            try:
                item.tag_names = self._related.tag_names(item)
                check_url(item.record.canonical_url)
            except RecordInvalid as error:
                item.failed = True
                self.fail(item.path, item.record.line, str(error), external_id=item.key[1])
        creates = [item for item in creates if not item.failed]
        updates = [(item, row) for item, row in updates if not item.failed]
        outcomes += [(item, CREATED) for item in creates] + [(item, UPDATED) for item, _ in updates]
        return outcomes, creates, updates, fingerprints

    def _write(self, items: list[Item | Unbuilt]):
        outcomes, creates, updates, fingerprints = self._plan(items, lock=True)
        self._last_batch_created = bool(creates)
        if fingerprints:  # unchanged articles: only the fingerprint, no new version, revision or cache purge
            store_fingerprints(fingerprints)
        written = creates + [item for item, _ in updates]
        if not written:
            return outcomes
        sections = self._related.sections([item.record.section for item in written])
        authors = self._related.authors([author for item in written for author in item.record.authors])
        tags = self._related.tags([name for item in written for name in item.tag_names])
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
        related = self._related
        tag_ids = {  # each article's tags, deduplicated, in the file's order
            item.key: list(dict.fromkeys(tags[name.casefold()] for name in item.tag_names))
            for item in [*creates, *(item for item, _ in updates)]
        }
        new_articles, search_tags, body_vectors = [], [], []
        for item in creates:
            article = build_article(item, sections, now, published_at=None)
            article.version = article.imported_version = 1
            article.created_at = now
            self._lead_image(article, item, None, stored)
            new_articles.append(article)
            search_tags.append(" ".join(sorted(related.tag_names_by_id[tag] for tag in tag_ids[item.key])))
            body_vectors.append(item.body_vector)
        assign_slugs(new_articles)
        insert_articles(new_articles, search_tags=search_tags, body_vectors=body_vectors)

        changed = []
        for item, row in updates:
            article = build_article(item, sections, now, published_at=row["published_at"])
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
                author_id = authors[author_key(ref)]
                if (author_id, ref.role) not in seen:
                    seen.add((author_id, ref.role))
                    article_bylines.append((author_id, related.author_names[author_id], ref.role, position))
            bylines += [
                (article.pk, author_id, role, position) for author_id, _, role, position in article_bylines
            ]
            links += [(article.pk, tag_id) for tag_id in tag_ids[item.key]]
            content = snapshot(
                article,
                section_name=related.section_names.get(article.section_id, ""),
                bylines=article_bylines,
                tags=[related.tag_names_by_id[tag_id] for tag_id in tag_ids[item.key]],
            )
            revisions.append(
                (article.pk, numbers.get(article.pk, 0) + 1, article.version, now, content, "Imported")
            )
        insert_rows(Byline, ["article", "author", "role", "position"], bylines)
        insert_rows(TaggedArticle, ["content_object", "tag"], links)
        insert_rows(
            Revision, ["article", "number", "version", "created_at", "snapshot", "comment"], revisions
        )
        if changed:
            update_search_vectors([article.pk for article in changed])

    def _lead_image(self, article: Article, item: Item, row: dict | None, stored: list) -> None:
        if reason := set_lead_image(article, item, row, stored, fetch=self.fetch_images):
            self.fail(item.path, item.line, reason, count=IMAGE_NOT_ATTACHED, external_id=item.key[1])

    def _count(self, outcomes) -> None:
        with self._lock:
            for item, outcome in outcomes:
                self.counts[outcome] += 1
                self.on_outcome(item.path, item.line, item.key[1], outcome, "")
