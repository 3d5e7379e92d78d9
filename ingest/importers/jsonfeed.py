"""
JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/, served as `application/feed+json`).

    item                                         Record
    id (a number is taken as its string, as the  external_id
      spec asks; else url)
    title (else the first sentence of the body:  headline (markup removed)
      micro.blog posts have no title)
    summary                                      dek (plain text)
    content_html (else content_text, as          body, sanitized; relative src and href resolved against
      paragraphs; else summary)                    the item's url, else the feed's home_page_url
    authors (1.1), else author (1.0), each name; authors
      else the feed's authors / author
    tags (each)                                  tags
    date_published                               published_at
    date_modified                                updated_at
    url (absolute, or relative to home_page_url) canonical_url (external_url names a page elsewhere,
                                                   the one a link post is about: not this item's)
    image, else banner_image, else the first     lead_image {"url", "alt"}
      attachment whose mime_type is image/*

A JSON Feed is one JSON document, so the file is parsed whole (feeds are small: a page of recent items).
Each item's line is the line its object starts on. Whole-file problems are an ``InvalidInput``: not UTF-8
(the spec requires it), not JSON, not an object, a `version` that is not a JSON Feed's, `items` that is not
an array. An item that is not an object, or has a field of the wrong type or an invalid date, is a
``Failure`` for that item. A feed whose `items` is empty says so: "feed has no items". Unknown fields and
extensions (`_name` keys) are ignored; a feed without `version` is read when it has `items`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

from articles.sanitize import sanitize_html
from ingest.importers import AuthorRef, Deferred, Failure, InvalidInput, NoItems, Record
from ingest.importers.markup import autop, resolve_urls, text_to_sanitized_html
from ingest.importers.values import (
    absolute_url,
    headline_from_text,
    join_url,
    lone_surrogate,
    parse_datetime,
    plain_text,
    problem,
    split_names,
    unique,
)

EXTENSIONS = (".json", ".jsonfeed")
VERSION = re.compile(r"^https?://(?:www\.)?jsonfeed\.org/version/1(?:\.\d+)?/?$")
NO_ITEMS = "feed has no items"
# the version URL, or (a feed that leaves it out) an items array, in the first 4 KiB of an object
_SNIFF = re.compile(
    rb'^\s*\{.*(?:"version"\s*:\s*"https?://(?:www\.)?jsonfeed\.org/version/|"items"\s*:\s*\[)', re.DOTALL
)
_WHITESPACE = re.compile(r"[ \t\n\r]*")


def sniff(head: bytes) -> bool:
    return bool(_SNIFF.match(head.removeprefix(b"\xef\xbb\xbf")))


def count(path: Path) -> int | None:
    return None  # counting the items would cost the full parse


def read(path: Path) -> Iterator[Record | Failure | NoItems]:
    feed, items = _load(path)
    for line, item in items:
        yield _item(item, line, feed)
    if not items:
        yield NoItems(NO_ITEMS)


def read_deferred(path: Path) -> Iterator[Deferred | NoItems]:
    """
    read(), each item deferred (see ingest.importers): an item's record depends on the item and on the
    feed's home_page_url and authors, all in its fingerprint.
    """
    feed, items = _load(path)
    context = _canonical([feed.get("home_page_url"), feed.get("authors"), feed.get("author")])
    for line, item in items:
        digest = hashlib.sha256(context + b"\x00" + _canonical(item)).hexdigest()
        external_id = _external_id(item) if isinstance(item, dict) else ""
        yield Deferred(external_id, line, digest, lambda item=item, line=line: _item(item, line, feed))
    if not items:
        yield NoItems(NO_ITEMS)


def _canonical(value) -> bytes:
    # json, not orjson: a feed may hold integers beyond 64 bits, which orjson refuses to write
    return json.dumps(value, sort_keys=True).encode()


# --- the document ----------------------------------------------------------------------------------------


def _load(path: Path) -> tuple[dict, list[tuple[int, object]]]:
    """The feed object and its items, each with the line its value starts on."""
    data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InvalidInput(
            f"not UTF-8 (JSON Feed requires it): byte 0x{data[error.start]:02x} cannot be decoded", line=line
        ) from None
    try:
        feed = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"invalid JSON: {error.msg} (column {error.colno})", line=error.lineno) from None
    except RecursionError:
        raise InvalidInput("invalid JSON: nested too deeply") from None
    if not isinstance(feed, dict):
        raise InvalidInput(f"not a JSON Feed: expected an object, found {_type(feed)}")
    version = feed.get("version")
    if version is not None and not (isinstance(version, str) and VERSION.match(version.strip())):
        raise InvalidInput(f"not a JSON Feed: version is {str(version)[:60]!r}")
    items = feed.pop("items", None)
    if items is None:
        raise InvalidInput("not a JSON Feed: no 'items'" if version is None else "JSON Feed has no 'items'")
    if not isinstance(items, list):
        raise InvalidInput(f"'items' must be an array, not {_type(items)}")
    return feed, list(zip(_item_lines(text), items, strict=True))


def _item_lines(text: str) -> list[int]:
    """
    The line each element of the top-level "items" array starts on (the last "items", as json.loads
    keeps the last of repeated keys). `text` is known to be a valid JSON object holding an items array.
    """
    decoder, lines = json.JSONDecoder(), []
    position = _skip(text, _skip(text, 0) + 1)  # past "{"
    while text[position] != "}":
        key, position = decoder.raw_decode(text, position)
        position = _skip(text, _skip(text, position) + 1)  # past ":"
        if key == "items":
            lines, line, counted = [], 1, 0
            position = _skip(text, position + 1)  # past "["
            while text[position] != "]":
                line, counted = line + text.count("\n", counted, position), position
                lines.append(line)
                position = _skip(text, decoder.raw_decode(text, position)[1])
                if text[position] == ",":
                    position = _skip(text, position + 1)
            position += 1
        else:
            position = decoder.raw_decode(text, position)[1]
        position = _skip(text, position)
        if text[position] == ",":
            position = _skip(text, position + 1)
    return lines


def _skip(text: str, position: int) -> int:
    return _WHITESPACE.match(text, position).end()


# --- items -----------------------------------------------------------------------------------------------


class _Invalid(Exception):
    pass


def _item(item, line: int, feed: dict) -> Record | Failure:
    if not isinstance(item, dict):
        return Failure(line, f"item is not an object but {_type(item)}")
    try:
        record = _record(item, line, feed)
    except _Invalid as error:
        return Failure(line, str(error))
    if reason := problem(record) or lone_surrogate(record):
        return Failure(line, reason)
    return record


def _record(item: dict, line: int, feed: dict) -> Record:
    link = _string(item, "url")
    # what relative URLs in the body resolve against: the item's page, else the site's
    base = absolute_url(join_url(_string(feed, "home_page_url"), link))
    summary = _string(item, "summary")
    dek = plain_text(summary)
    if content := _string(item, "content_html"):
        body = resolve_urls(sanitize_html(autop(content)), base)
    elif content := _string(item, "content_text"):
        body = text_to_sanitized_html(content)
    else:  # the summary is all there is: it is the body, not a dek beside it
        content, body, dek = summary, sanitize_html(autop(summary)), ""
    return Record(
        external_id=_external_id(item),
        headline=plain_text(_string(item, "title")) or headline_from_text(content),
        line=line,
        body_html=body,
        body_sanitized=True,
        dek=dek,
        authors=[AuthorRef(name) for name in unique(_authors(item) or _authors(feed))],
        tags=unique(_strings(item, "tags")),
        published_at=_date(item, "date_published"),
        updated_at=_date(item, "date_modified"),
        canonical_url=base if link else "",
        lead_image=_image(item, base),
    )


def _external_id(item: dict) -> str:
    identifier = item.get("id")
    # the spec: "if an id is presented as a number or other type, a JSON Feed reader must coerce it"
    if isinstance(identifier, int | float) and not isinstance(identifier, bool):
        return (
            str(int(identifier))
            if isinstance(identifier, float) and identifier.is_integer()
            else str(identifier)
        )
    if isinstance(identifier, str) and identifier.strip():
        return identifier.strip()
    url = item.get("url")
    return url.strip() if isinstance(url, str) else ""


def _authors(holder: dict) -> list[str]:
    """The names of `authors` (1.1), else of `author` (1.0); an author without a name is none."""
    authors = holder.get("authors")
    if authors is None:
        authors = [] if holder.get("author") is None else [holder["author"]]
    if not isinstance(authors, list):
        raise _Invalid(f"'authors' must be an array, not {_type(authors)}")
    names = []
    for author in authors:
        if not isinstance(author, dict):
            raise _Invalid(f"an author must be an object, not {_type(author)}")
        names += split_names(_string(author, "name"))
    return names


def _image(item: dict, base: str) -> dict | None:
    url = _string(item, "image") or _string(item, "banner_image")
    if not url:
        attachments = item.get("attachments") or []
        if not isinstance(attachments, list):
            raise _Invalid(f"'attachments' must be an array, not {_type(attachments)}")
        for attachment in attachments:
            if isinstance(attachment, dict) and _string(attachment, "mime_type").startswith("image/"):
                url = _string(attachment, "url")
                alt = plain_text(_string(attachment, "title"))
                break
        else:
            return None
    else:
        alt = ""
    return {"url": join_url(base, url.strip()) if base else url.strip(), "alt": alt}


def _date(item: dict, name: str):
    if not (text := _string(item, name)):
        return None
    try:
        return parse_datetime(text)
    except ValueError as error:
        raise _Invalid(f"{name}: {error}") from None


def _string(holder: dict, name: str) -> str:
    value = holder.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Invalid(f"{name!r} must be a string, not {_type(value)}")
    return value


def _strings(holder: dict, name: str) -> list[str]:
    values = holder.get(name)
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise _Invalid(f"{name!r} must be an array of strings")
    return values


def _type(value) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )
