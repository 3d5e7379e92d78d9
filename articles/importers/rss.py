"""
RSS 2.0 (and RSS 1.0/RDF) and Atom feeds, streamed item by item with the safe XML parser (no
feedparser: it would hold the whole feed in memory and may fetch URLs).

    RSS item                          Atom entry                  Record
    guid (else link)                  id (else link)              external_id
    title                             title                       headline (markup removed)
    description, when content:encoded summary, when content       dek (plain text)
    content:encoded (else description) content (else summary)     body, sanitized
    dc:creator (each), author         author/name (each)          authors
    category (each)                   category@term (or @label)   tags
    pubDate (else dc:date)            published (else updated)    published_at
    -                                 updated                     updated_at
    link                              link rel=alternate          canonical_url
    media:content, media:thumbnail, an image enclosure (RSS enclosure, Atom link rel=enclosure)
                                                                  lead_image {"url", "alt", "caption", ...}
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

from articles.importers import AuthorRef, Deferred, Failure, Record
from articles.importers.markup import autop, inner_xml, local_name
from articles.importers.safexml import (
    child,
    children,
    count_tags,
    deferred,
    head_text,
    iter_elements,
    root_name,
    text_of,
)
from articles.importers.values import parse_datetime, plain_text, problem, split_names, unique
from articles.sanitize import sanitize_html

EXTENSIONS = (".rss", ".atom", ".xml", ".rdf")
ATOM = "http://www.w3.org/2005/Atom"
_MRSS = "search.yahoo.com/mrss"
_ITEMS = ("item", "{http://purl.org/rss/1.0/}item", f"{{{ATOM}}}entry")
_EMAIL_NAME = re.compile(r"^\s*\S+@\S+\s*\((.+)\)\s*$")  # RSS <author>: "jane@example.com (Jane Doe)"


def sniff(head: bytes) -> bool:
    text = head_text(head)
    if "wordpress.org/export/" in text:
        return False
    return root_name(text) in {"rss", "RDF"} or (root_name(text) == "feed" and ATOM in text)


def count(path: Path) -> int:
    """An estimate of the items, for the progress bar."""
    return count_tags(path, (b"<item>", b"<item ", b"<entry>", b"<entry "))


def read(path: Path) -> Iterator[Record | Failure]:
    for element in iter_elements(path, _ITEMS):
        if element.tag == f"{{{ATOM}}}entry":
            yield _entry(element)
        else:
            yield _item(element)


def read_deferred(path: Path) -> Iterator[Deferred]:
    """read(), each item deferred (see articles.importers); an item's record depends on its element only."""
    for element in iter_elements(path, _ITEMS):
        if element.tag == f"{{{ATOM}}}entry":
            yield deferred(element, text_of(element, "id") or _entry_link(element), _entry)
        else:
            yield deferred(element, text_of(element, "guid") or _item_link(element), _item)


def _by_namespace(item, name: str, namespace_part: str):
    for element in children(item, name):
        if namespace_part in element.tag:
            return element
    return None


def _image(item) -> dict | None:
    """The first image among media:content, media:thumbnail and enclosures."""
    candidates = [
        element
        for group in [item, *children(item, "group")]
        for element in group
        if local_name(element.tag) in {"content", "thumbnail"} and _MRSS in element.tag
    ]
    candidates += children(item, "enclosure")
    for element in candidates:
        url = element.get("url", "").strip()
        kind = element.get("medium", "") or element.get("type", "")
        is_image = kind.startswith("image") or local_name(element.tag) == "thumbnail"
        if url and (is_image or (not kind and re.search(r"\.(jpe?g|png|gif|webp|avif)$", url, re.I))):
            parent = element.getparent()
            return {
                "url": url,
                "alt": plain_text(_media_text(element, parent, "title")),
                "caption": plain_text(_media_text(element, parent, "description")),
                "credit": plain_text(_media_text(element, parent, "credit")),
            }
    return None


def _media_text(element, parent, name: str) -> str:
    for scope in (element, parent):
        for found in children(scope, name):
            if _MRSS in found.tag and found.text:
                return found.text
    return ""


def _date(text: str):
    return parse_datetime(text) if text else None


def _item_link(item) -> str:
    return text_of(item, "link") or (item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about") or "")


def _item(item, line: int | None = None) -> Record | Failure:
    line = (item.sourceline or 0) if line is None else line
    encoded = _by_namespace(item, "encoded", "/content/")
    description = text_of(item, "description")
    body = (encoded.text or "") if encoded is not None else description
    names = [n for creator in children(item, "creator") for n in split_names(creator.text or "")]
    if author := text_of(item, "author"):
        match = _EMAIL_NAME.match(author)
        names += split_names(match.group(1) if match else author)
    link = _item_link(item)
    try:
        published_at = _date(text_of(item, "pubDate") or text_of(item, "date"))
    except ValueError as error:
        return Failure(line, str(error))
    record = Record(
        external_id=text_of(item, "guid") or link,
        headline=plain_text(text_of(item, "title")),
        line=line,
        body_html=sanitize_html(autop(body)),
        body_sanitized=True,
        dek=plain_text(description) if encoded is not None else "",
        authors=[AuthorRef(name) for name in unique(names)],
        tags=unique(e.text or "" for e in children(item, "category") + children(item, "subject")),
        published_at=published_at,
        canonical_url=link,
        lead_image=_image(item),
    )
    if reason := problem(record):
        return Failure(line, reason)
    return record


def _atom_text(element) -> str:
    """An Atom text construct as HTML: type text (escaped), html, or xhtml (a div of inline markup)."""
    if element is None:
        return ""
    kind = element.get("type", "text")
    if kind == "xhtml":
        div = child(element, "div")
        return inner_xml(div if div is not None else element)
    if kind == "html":
        return element.text or ""
    return html.escape(element.text or "", quote=False)


def _entry_link(entry) -> str:
    for element in children(entry, "link"):
        if element.get("rel", "alternate") == "alternate" and (href := element.get("href", "")):
            return href
    return ""


def _entry(entry, line: int | None = None) -> Record | Failure:
    line = (entry.sourceline or 0) if line is None else line
    link, image = _entry_link(entry), _image(entry)
    for element in children(entry, "link"):
        rel = element.get("rel", "alternate")
        if rel == "enclosure" and image is None and element.get("type", "").startswith("image/"):
            href, title = element.get("href", ""), plain_text(element.get("title"))
            image = {"url": href, "alt": title, "caption": "", "credit": ""}
    content, summary = child(entry, "content"), child(entry, "summary")
    body = _atom_text(content) if content is not None else _atom_text(summary)
    names = [text_of(author, "name") for author in children(entry, "author")]
    names += [text_of(author, "name") for author in children(entry, "contributor")]
    try:
        published_at = _date(text_of(entry, "published") or text_of(entry, "updated"))
        updated_at = _date(text_of(entry, "updated"))
    except ValueError as error:
        return Failure(line, str(error))
    record = Record(
        external_id=text_of(entry, "id") or link,
        headline=plain_text(_atom_text(child(entry, "title"))),
        line=line,
        body_html=sanitize_html(autop(body)),
        body_sanitized=True,
        dek=plain_text(_atom_text(summary)) if content is not None else "",
        authors=[AuthorRef(name) for name in unique(names)],
        tags=unique(c.get("label") or c.get("term", "") for c in children(entry, "category")),
        published_at=published_at,
        updated_at=updated_at,
        canonical_url=link,
        lead_image=image,
    )
    if reason := problem(record):
        return Failure(line, reason)
    return record
