"""
CSV from legacy systems: a header row naming the columns below, UTF-8 with or without a BOM, fields
quoted the usual way (quoted fields may span lines). Read row by row, so any size streams.

    external_id   required; the article's id in the old system
    headline      required
    dek           plain text
    body          HTML or plain text, see body_format
    body_format   `html` or `text` (blank lines separate paragraphs); empty: html if the body starts with "<"
    section       a section name
    authors       names separated by semicolons, in byline order
    tags          names separated by semicolons
    status        draft, in_review, scheduled, published or unpublished; empty: the command's --status
    published_at  ISO 8601 or RFC 822; without a zone it is UTC
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from articles.models import Status
from articles.sanitize import sanitize_html
from ingest.importers import AuthorRef, Failure, InvalidInput, Record
from ingest.importers.markup import text_to_sanitized_html
from ingest.importers.values import parse_datetime, plain_text, problem, unique

EXTENSIONS = (".csv",)
COLUMNS = (
    "external_id", "headline", "dek", "body", "body_format", "section", "authors", "tags", "status",
    "published_at",
)  # fmt: skip
REQUIRED = ("external_id", "headline")
FIELD_LIMIT = 16 * 1024 * 1024  # one field (a body) may be long; an unclosed quote must not eat the file
_NOT_UTF8 = re.compile("[\udc80-\udcff]")
_BOM = b"\xef\xbb\xbf"
STATUSES = frozenset(Status.values)


def _is_utf8(text: str) -> bool:
    """False if decoding left surrogates for bytes that are not UTF-8 (encoding them back fails)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def sniff(head: bytes) -> bool:
    first = head.removeprefix(_BOM).split(b"\n", 1)[0].lower()
    return b"external_id" in first and b"headline" in first and b"," in first


def read(path: Path) -> Iterator[Record | Failure]:
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
    with open(path, "rb") as raw:
        if raw.read(2) in (b"\xff\xfe", b"\xfe\xff"):
            raise InvalidInput("this CSV is UTF-16; save it as UTF-8", line=1)
    # utf-8-sig drops a BOM; bytes that are not UTF-8 become surrogates so the row holding them can fail.
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as source:
        rows = csv.reader(source, strict=True)
        try:
            header = next(rows, None)
            if header is None:
                raise InvalidInput("empty file")
            header = [name.strip().lower() for name in header]
            if _NOT_UTF8.search(",".join(header)):
                raise InvalidInput("the header row is not valid UTF-8", line=1)
            unknown = [name for name in header if name not in COLUMNS]
            missing = [name for name in REQUIRED if name not in header]
            if unknown or missing:
                raise InvalidInput(
                    "; ".join(
                        filter(
                            None,
                            [
                                missing and f"missing columns: {', '.join(missing)}",
                                unknown and f"unknown columns: {', '.join(unknown)}",
                            ],
                        )
                    )
                    + f" (columns are: {', '.join(COLUMNS)})",
                    line=1,
                )
            line = rows.line_num + 1
            for row in rows:
                if row:
                    yield _record(header, row, line)
                line = rows.line_num + 1
        except csv.Error as error:
            raise InvalidInput(f"malformed CSV: {error}", line=rows.line_num) from None


def _record(header: list[str], row: list[str], line: int) -> Record | Failure:
    if len(row) != len(header):
        return Failure(line, f"{len(row)} fields, but the header has {len(header)}")
    fields = dict(zip(header, row, strict=True))
    if not _is_utf8("".join(row)):  # rare: then find the column
        for name, value in fields.items():
            if match := _NOT_UTF8.search(value):
                byte = ord(match.group()) - 0xDC00
                return Failure(line, f"not valid UTF-8: byte 0x{byte:02X} in the {name} column")
    status = fields.get("status", "").strip()
    if status and status not in STATUSES:
        return Failure(line, f"unknown status {status!r}; use one of {', '.join(Status.values)}")
    body = fields.get("body", "")
    body_format = fields.get("body_format", "").strip().lower()
    if body_format not in {"", "html", "text"}:
        return Failure(line, f"unknown body_format {body_format!r}; use html or text")
    if body_format == "text" or (not body_format and not body.lstrip().startswith("<")):
        body_html = text_to_sanitized_html(body)
    else:
        body_html = sanitize_html(body)
    published_at = None
    if value := fields.get("published_at", "").strip():
        try:
            published_at = parse_datetime(value)
        except ValueError as error:
            return Failure(line, f"published_at: {error}")
    record = Record(
        external_id=fields["external_id"].strip(),
        headline=plain_text(fields["headline"]),
        line=line,
        body_html=body_html,
        body_sanitized=True,
        dek=plain_text(fields.get("dek", "")),
        section=plain_text(fields.get("section", "")),
        authors=[AuthorRef(name) for name in unique(fields.get("authors", "").split(";"))],
        tags=unique(fields.get("tags", "").split(";")),
        status=status,
        published_at=published_at,
    )
    if reason := problem(record):
        return Failure(line, reason)
    return record
