"""
Importers: one module per input format, all feeding one save path.

Each format module (``ingest/importers/<name>.py``) provides

    EXTENSIONS: tuple of file name suffixes it claims (".txt", ".jsonl", ...)
    def sniff(head: bytes) -> bool        # does this start of a file look like our format?
    def read(path: Path) -> Iterator[Record | Failure]

``read`` streams: it yields one ``Record`` per article as soon as it is parsed, and one ``Failure``
for an item it cannot turn into a record (then goes on with the next). A problem with the whole file
(unreadable, wrong encoding, hostile XML) is raised as ``InvalidInput``.

``FORMATS`` maps the ``--format`` names to their modules, like Django's BUILTIN_SERIALIZERS.

Extensions (optional; a module without them still works):

    read() may also yield ``Skipped(line, reason, kind)`` for an item that is deliberately not an
    article (a WordPress page or attachment, a private post). It is neither created nor failed:
    ``import_articles`` counts it per format and kind ("skipped wxr page 3") in its summary.

    read() may also yield ``NoItems(reason)``, once, when the file holds no article item at all, to say
    why ("feed has no entries", "WXR file holds only terms"): ``import_articles`` prints
    ``path: 0 items: reason`` instead of leaving the operator with a silent zero.

    EMBEDS: tuple of format names the module's files may carry inline (newsml: "nitf"); when both
    sniff the same file, detect_format picks the wrapper

    def count(path: Path) -> int | None   # cheap estimate of the items in a file, for progress bars
                                          # (ETA); None when it would cost a full parse

    def read_deferred(path: Path) -> Iterator[Deferred | Failure | Skipped]
        Like read(), but each item comes as a ``Deferred``: its external id, its line and a fingerprint
        of everything its record would be made of (the XML formats: the serialized element and whatever
        the file around it contributes), with a ``build()`` that makes the record (or a Failure) only
        when asked. ``import_articles`` prefers it: the save path compares the fingerprint with the one
        stored by the last import and builds only the items that may have changed, so a re-import of
        unchanged items costs little more than parsing the file. build() must give exactly what read()
        gives for the item, and the fingerprint must change whenever that could.

Every record goes through ``ingest.importers.save.Importer``, the one save path (validation,
sanitizing, matching by (source, external_id), batching). ``Record.raw_tag_line`` is split there
with ``ingest.importers.hill.split_tags`` and the whole tag vocabulary of the database.
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

FORMATS = {
    "hill": "ingest.importers.hill",
    # before jsonl: both start with "{", and detect_format tries formats in this order
    "jsonfeed": "ingest.importers.jsonfeed",
    "jsonl": "ingest.importers.jsonl",
    # import-formats: archive and wire formats; the XML ones share the safe parser in safexml.py
    "csv": "ingest.importers.csv",
    "wxr": "ingest.importers.wxr",
    "rss": "ingest.importers.rss",
    "nitf": "ingest.importers.nitf",
    "newsml": "ingest.importers.newsml",
}


class InvalidInput(Exception):
    """A whole file cannot be read. `line` is where reading stopped, when known."""

    def __init__(self, reason: str, *, line: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass
class Failure:
    """One item that could not be turned into a record; reported as path:line: reason."""

    line: int
    reason: str


@dataclass
class Skipped:
    """An item that is deliberately not imported (e.g. a WXR page); counted as skipped by `kind`."""

    line: int
    reason: str
    kind: str


@dataclass
class NoItems:
    """Why a file holds no article item at all (see the module docstring)."""

    reason: str


@dataclass
class AuthorRef:
    name: str
    slug: str = ""
    role: str = "reporting"


@dataclass
class Record:
    """One article as read from a file, before it touches the database."""

    external_id: str
    headline: str
    line: int = 1  # where the item starts (for XML formats, the item's index)
    body_html: str = ""
    dek: str = ""
    slug: str = ""
    section: str = ""
    authors: list[AuthorRef] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    status: str = ""  # empty: the command's --status decides
    published_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None
    canonical_url: str = ""
    source: str = ""  # empty: the command's --source (or the format name) decides
    lead_image: dict | None = None
    version: str = ""  # a wire item's version (NewsML); a newer one replaces an older one
    # Hill tag lines can only be split with the help of the body and the tag vocabulary,
    # so the hill reader passes the raw line on and the save path splits it.
    raw_tag_line: str = ""
    # Set by a reader that has put body_html through articles.sanitize already, so that the save path
    # does not clean the same HTML twice. Never read from a file.
    body_sanitized: bool = field(default=False, compare=False, repr=False)


@dataclass(slots=True)
class Deferred:
    """
    An item read but not yet turned into a record (see ``read_deferred``). `digest`: a SHA-256 hex digest
    of what the record would be made of; equal digests mean equal records. `build()` makes the record (or
    the Failure that read() would have yielded for the item); it may be called from another thread.
    """

    external_id: str
    line: int
    digest: str
    build: Callable[[], Record | Failure]


def format_module(name: str):
    try:
        return importlib.import_module(FORMATS[name])
    except KeyError:
        raise ValueError(f"unknown format {name!r}; choose from {', '.join(sorted(FORMATS))}") from None


def detect_format(path: Path) -> str:
    """Pick a format by file extension, then by the first bytes of the file."""
    with path.open("rb") as f:
        head = f.read(4096)
    candidates = [name for name in FORMATS if path.suffix.lower() in format_module(name).EXTENSIONS]
    matches = [name for name in candidates if format_module(name).sniff(head)]
    # a wrapper format wins over the format it carries inline (NewsML 1 documents hold NITF bodies)
    embedded = {inner for name in matches for inner in getattr(format_module(name), "EMBEDS", ())}
    for name in matches:
        if name not in embedded:
            return name
    for name in FORMATS:
        if name not in candidates and format_module(name).sniff(head):
            return name
    if candidates:
        return candidates[0]
    raise InvalidInput(f"cannot tell the format of this file; pass --format ({', '.join(sorted(FORMATS))})")
