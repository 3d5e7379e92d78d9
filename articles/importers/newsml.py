"""
IPTC NewsML-G2 text items: a `newsItem` file, or a `newsMessage` holding several (no packageItem).

    newsItem@guid                                 external_id
    newsItem@version                              version: a newer version of a guid updates the
                                                  article (wire corrections), an older one is ignored
    contentMeta/headline (the one without a role) headline
    contentMeta/description role=drol:summary     dek
    contentMeta/slugline                          slug
    contentMeta/by (else creator/name)            authors
    contentMeta/dateline (else located/name)      opens the first paragraph ("WASHINGTON — ...")
    contentMeta/subject/name, contentMeta/keyword tags
    itemMeta/firstCreated (else contentCreated,   published_at
      else versionCreated)
    itemMeta/versionCreated                       updated_at
    contentSet/inlineXML: XHTML body or NITF      body, sanitized
      body.content; inlineData: plain text
    itemMeta/link or contentMeta/icon of an image type, or NITF media   lead_image

Items of another class (ninat:picture, video, graphic, audio) and items whose pubStatus is
stat:canceled or stat:withheld are skipped and counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.utils.text import slugify

from articles.importers import AuthorRef, Deferred, Failure, Record, Skipped, nitf
from articles.importers.markup import inner_xml, prepend_dateline, text_to_sanitized_html, xml_text
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

EXTENSIONS = (".xml", ".nml", ".newsml")
G2 = "http://iptc.org/std/nar/2006-10-01/"


def sniff(head: bytes) -> bool:
    text = head_text(head)
    return root_name(text) in {"newsItem", "newsMessage"} and G2 in text


def count(path: Path) -> int:
    """An estimate of the items, for the progress bar."""
    return count_tags(path, (b"<newsItem ", b"<newsItem>", b":newsItem "))


def read(path: Path) -> Iterator[Record | Failure | Skipped]:
    for element in iter_elements(path, ("{*}newsItem",)):
        yield record_from(element)


def read_deferred(path: Path) -> Iterator[Deferred | Failure | Skipped]:
    """
    read(), each text item deferred (see articles.importers): items of other classes, canceled ones and
    bad versions are told apart at once; an item's record depends on its element only.
    """
    for element in iter_elements(path, ("{*}newsItem",)):
        line = element.sourceline or 0
        if (not_text := _not_a_text_item(element, line)) is not None:
            yield not_text
        else:
            yield deferred(element, element.get("guid", ""), _text_record)


def _qcode_name(element) -> str:
    return (element.get("qcode", "") if element is not None else "").split(":")[-1]


def _body(content_set) -> tuple[str, dict | None]:
    if content_set is None:
        return "", None
    for inline in children(content_set, "inlineXML"):
        nitf_body = inline.find(".//{*}body.content")
        if nitf_body is not None:
            return nitf.body_html(nitf_body), nitf.lead_image(nitf_body)
        xhtml_body = inline.find(".//{*}body")
        return sanitize_html(inner_xml(xhtml_body if xhtml_body is not None else inline)), None
    for inline in children(content_set, "inlineData"):
        return text_to_sanitized_html(inline.text or ""), None
    return "", None


def _image_link(item_meta, content_meta) -> dict | None:
    candidates = children(item_meta, "link") if item_meta is not None else []
    candidates += children(content_meta, "icon") if content_meta is not None else []
    for link in candidates:
        href = link.get("href", "").strip()
        if href and link.get("contenttype", "image/").startswith("image/"):
            return {
                "url": href,
                "alt": plain_text(link.get("title", "")),
                "caption": plain_text(text_of(link, "title")),
                "credit": "",
            }
    return None


def _headline(content_meta) -> str:
    headlines = children(content_meta, "headline")
    for headline in headlines:
        if not headline.get("role"):
            return xml_text(headline)
    return xml_text(headlines[0]) if headlines else ""


def _not_a_text_item(item, line: int) -> Failure | Skipped | None:
    """A Skipped or Failure for an item that is not an importable text item, None for one that is."""
    item_meta = child(item, "itemMeta")
    item_class = _qcode_name(child(item_meta, "itemClass")) if item_meta is not None else ""
    if item_class and item_class != "text":
        return Skipped(line, f"a {item_class} item, not text", item_class)
    status = _qcode_name(child(item_meta, "pubStatus")) if item_meta is not None else ""
    if status in {"canceled", "withheld"}:
        return Skipped(line, f"pubStatus {status}", status)
    if status not in {"", "usable"}:
        return Failure(line, f"unknown pubStatus {status!r}")
    version = item.get("version", "1").strip()
    if not version.isdigit():
        return Failure(line, f"version {version!r} is not a number")
    if child(item, "contentMeta") is None:
        return Failure(line, "no contentMeta")
    return None


def record_from(item, line: int | None = None) -> Record | Failure | Skipped:
    line = (item.sourceline or 0) if line is None else line
    if (not_text := _not_a_text_item(item, line)) is not None:
        return not_text
    return _text_record(item, line)


def _text_record(item, line: int) -> Record | Failure:
    """The record of a text item (an item _not_a_text_item let through)."""
    item_meta, content_meta = child(item, "itemMeta"), child(item, "contentMeta")
    version = item.get("version", "1").strip()

    tags = [text_of(subject, "name") for subject in children(content_meta, "subject")]
    tags += [keyword.text or "" for keyword in children(content_meta, "keyword")]
    if by := text_of(content_meta, "by"):
        names = split_names(by)
    else:
        names = [text_of(c, "name") or c.get("literal", "") for c in children(content_meta, "creator")]
    dateline = text_of(content_meta, "dateline")
    if not dateline and (located := child(content_meta, "located")) is not None:
        dateline = text_of(located, "name")
    dek = ""
    for description in children(content_meta, "description"):
        if description.get("role", "drol:summary") == "drol:summary":
            dek = xml_text(description)
            break
    try:
        dates = {
            name: parse_datetime(value)
            for name, scope in [
                ("firstCreated", item_meta),
                ("versionCreated", item_meta),
                ("contentCreated", content_meta),
            ]
            if scope is not None and (value := text_of(scope, name))
        }
    except ValueError as error:
        return Failure(line, str(error))

    body, image = _body(child(item, "contentSet"))
    record = Record(
        external_id=item.get("guid", "").strip(),
        headline=plain_text(_headline(content_meta)),
        line=line,
        body_html=prepend_dateline(body, dateline),
        dek=plain_text(dek),
        slug=slugify(text_of(content_meta, "slugline"), allow_unicode=True),
        authors=[AuthorRef(name) for name in unique(names)],
        tags=unique(tags),
        published_at=dates.get("firstCreated") or dates.get("contentCreated") or dates.get("versionCreated"),
        updated_at=dates.get("versionCreated"),
        lead_image=image or _image_link(item_meta, content_meta),
        version=version,
    )
    if reason := problem(record):
        return Failure(line, reason)
    return record
