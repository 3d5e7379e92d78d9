"""
JSON Lines: one article per line, exactly the schema ``export_articles`` writes (see docs/imports.md).

Reading is line by line (constant memory). ``external_id`` and ``headline`` are required; every other
field is optional and, when present, must have its documented type. ``url`` is ignored (it is derived
from the article), and so are unknown fields, so newer exports stay readable. A line that is not valid
UTF-8 or not valid JSON, or has a missing or mistyped field, is a ``Failure`` for that line; the other
lines are read on. Dates are ISO 8601; one without an offset is taken as UTC.

``dumps`` is the writing side, used by ``export_articles``.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path

import orjson

from ingest.importers import AuthorRef, Failure, InvalidInput, Record
from ingest.importers.values import ESCAPED_SURROGATE, lone_surrogate

EXTENSIONS = (".jsonl", ".ndjson")

REQUIRED = ("external_id", "headline")
STRINGS = ("source", "external_id", "headline", "slug", "dek", "body_html", "status", "canonical_url")
NULLABLE_STRINGS = ("section", "url")
DATES = ("published_at", "updated_at")


def sniff(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def count(path: Path) -> int:
    """Lines in the file (a cheap upper bound on its articles), counted in 1 MiB blocks."""
    lines = 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            lines += block.count(b"\n")
    return lines or 1


def dumps(article: dict) -> str:
    """
    One line of the export: compact, non-ASCII as is. orjson writes exactly what
    json.dumps(article, ensure_ascii=False, separators=(",", ":")) writes for these values (strings,
    lists, dicts, None; the same escapes), at a twentieth of the cost: most of an export's CPU otherwise.
    """
    return orjson.dumps(article).decode()


def read(path: Path) -> Iterator[Record | Failure]:
    try:
        f = path.open("rb")
    except OSError as error:
        raise InvalidInput(f"cannot read: {error.strerror or error}") from None
    seen_any = False
    offset = 0
    with f:
        for number, raw in enumerate(f, start=1):
            line_offset, offset = offset, offset + len(raw)
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                seen_any = True
                yield Failure(
                    number,
                    f"not UTF-8: byte 0x{raw[error.start]:02x} at offset {line_offset + error.start} "
                    f"(column {error.start + 1}) cannot be decoded",
                )
                continue
            if not text.strip():
                continue
            seen_any = True
            yield parse_line(text, number)
    if not seen_any:
        raise InvalidInput("empty file: no JSON lines")


def parse_line(text: str, number: int = 1) -> Record | Failure:
    try:
        data = json.loads(text.rstrip("\r\n"))
    except json.JSONDecodeError as error:
        return Failure(number, f"invalid JSON: {error.msg} (column {error.colno})")
    if not isinstance(data, dict):
        return Failure(number, f"expected a JSON object, found {type(data).__name__}")
    try:
        record = _record(data, number)
    except _Invalid as error:
        return Failure(number, str(error))
    if ESCAPED_SURROGATE.search(text) and (reason := lone_surrogate(record)):
        return Failure(number, reason)
    return record


class _Invalid(Exception):
    pass


def _record(data: dict, number: int) -> Record:
    for name in REQUIRED:
        if name not in data or data[name] in (None, ""):
            raise _Invalid(f"missing required field {name!r}")
    for name in STRINGS:
        if name in data and data[name] is not None and not isinstance(data[name], str):
            raise _Invalid(f"{name!r} must be a string, not {_type(data[name])}")
    for name in NULLABLE_STRINGS:
        if data.get(name) is not None and not isinstance(data[name], str):
            raise _Invalid(f"{name!r} must be a string or null, not {_type(data[name])}")
    return Record(
        line=number,
        source=data.get("source") or "",
        external_id=data["external_id"],
        headline=data["headline"],
        slug=data.get("slug") or "",
        dek=data.get("dek") or "",
        body_html=data.get("body_html") or "",
        section=data.get("section") or "",
        authors=_authors(data.get("authors")),
        tags=_tags(data.get("tags")),
        status=data.get("status") or "",
        published_at=_date(data, "published_at"),
        updated_at=_date(data, "updated_at"),
        canonical_url=data.get("canonical_url") or "",
        lead_image=_lead_image(data.get("lead_image")),
    )


def _authors(value) -> list[AuthorRef]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Invalid(f"'authors' must be a list, not {_type(value)}")
    authors = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            raise _Invalid(f"'authors'[{index}] must be an object with a 'name' string")
        for key in ("slug", "role"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise _Invalid(f"'authors'[{index}].{key} must be a string, not {_type(item[key])}")
        authors.append(
            AuthorRef(name=item["name"], slug=item.get("slug") or "", role=item.get("role") or "reporting")
        )
    return authors


def _tags(value) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise _Invalid("'tags' must be a list of strings")
    return value


def _date(data: dict, name: str) -> datetime.datetime | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _Invalid(f"{name!r} must be an ISO 8601 string or null, not {_type(value)}")
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise _Invalid(f"{name!r} is not an ISO 8601 date: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


def _lead_image(value) -> dict | None:
    # Attaching it is the images feature's job; here it is only checked for shape and passed on.
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("path") or value.get("url"), str):
        raise _Invalid("'lead_image' must be an object with a 'path' or 'url' string")
    return value


def _type(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def export_dict(row: dict, *, authors: list[dict], tags: list[str], url: str | None) -> dict:
    """
    One article in the export schema. `row` holds the article's columns (and `section__name`).

    Articles born in the CMS have no source/external_id; they are exported as source "newsroom" and
    external_id "article-<pk>", which an import then stores, so export -> import -> export is stable.
    """
    return {
        "source": row["source"] or "newsroom",
        "external_id": row["external_id"] or f"article-{row['pk']}",
        "headline": row["headline"],
        "slug": row["slug"],
        "dek": row["dek"],
        "body_html": row["body"],
        "section": row["section__name"],
        "authors": authors,
        "tags": tags,
        "status": row["status"],
        "published_at": _isoformat(row["published_at"]),
        "updated_at": _isoformat(row["updated_at"] or row["modified_at"]),
        "canonical_url": row["canonical_url"],
        "url": url,
        **_exported_image(row),
    }


def _exported_image(row: dict) -> dict:
    """
    Images in imports: the lead image as an import names it, only for articles that have one (the lines
    of the others stay as they were). An attached image is its cleaned original's absolute URL; a remote
    URL recorded by an import without --fetch-images is passed on as it came.
    """
    if row.get("lead_image__file"):
        from images.models import Image
        from newsroom.links import absolute_url

        url = absolute_url(Image._meta.get_field("file").storage.url(row["lead_image__file"]))
        return {
            "lead_image": {
                "url": url,
                "alt": row["lead_image__alt_text"],
                "caption": row["lead_image__caption"],
                "credit": row["lead_image__credit"],
            }
        }
    source = row.get("lead_image_source") or ""
    if "://" in source:
        return {"lead_image": {"url": source, "alt": "", "caption": "", "credit": ""}}
    return {}


def _isoformat(value: datetime.datetime | None) -> str | None:
    return value.astimezone(datetime.UTC).isoformat() if value is not None else None
