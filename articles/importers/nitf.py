"""
NITF 3.x wire stories: one `nitf` document per file, or several inside any wrapper element.

    docdata/doc-id@id-string                        external_id
    hedline/hl1                                     headline
    hedline/hl2 (else abstract)                     dek
    byline (its person elements, else its text)     authors ("By" and byttl titles removed)
    dateline                                        opens the first paragraph ("WASHINGTON — ...")
    body.content                                    body: hl2 -> h2, media taken out, sanitized
    key-list/keyword@key, identified-content        tags
      (person, org, location, event, object.title,
      classifier@value), tobject.subject
    the later of date.issue@norm, date.release@norm published_at (never before the release time)
    du-key@version                                  version (a newer one updates the article)
    the first media of media-type image             lead_image {"path" or "url", "alt", "caption", "credit"}
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

from articles.importers import AuthorRef, Deferred, Failure, Record
from articles.importers.markup import inner_xml, local_name, prepend_dateline, xml_text
from articles.importers.safexml import (
    any_namespace,
    child,
    children,
    count_tags,
    deferred,
    head_text,
    iter_elements,
    root_name,
)
from articles.importers.values import parse_datetime, plain_text, problem, split_names, unique
from articles.sanitize import sanitize_html

EXTENSIONS = (".xml", ".nitf")
G2 = "http://iptc.org/std/nar/2006-10-01/"
_IDENTIFIED = {"person", "org", "location", "event", "object.title"}
_RENAME = {"hl2": "h2", "hl1": "h2", "block": "div", "bq": "blockquote", "credit": "cite"}


def sniff(head: bytes) -> bool:
    # a nitf root, or nitf documents in some wrapper; NITF inside a NewsML-G2 item is newsml's
    text = head_text(head)
    return root_name(text) == "nitf" or ("<nitf" in text and G2 not in text and "<rss" not in text)


def count(path: Path) -> int:
    """An estimate of the items, for the progress bar."""
    return count_tags(path, (b"<nitf>", b"<nitf "))


def read(path: Path) -> Iterator[Record | Failure]:
    for element in iter_elements(path, ("{*}nitf",)):
        yield record_from(element)


def read_deferred(path: Path) -> Iterator[Deferred]:
    """read(), each document deferred (see articles.importers); its record depends on its element only."""
    for element in iter_elements(path, ("{*}nitf",)):
        yield deferred(element, _doc_id(_find(element, "head/docdata")), record_from)


def _find(element, path: str):
    """
    A descendant by a /-separated path of local names, in any namespace: what element.find() gives, a
    third faster through iterchildren (lxml's C code) than through find's Python ElementPath layer.
    """
    found = [element] if element is not None else []
    for pattern in _steps(path):
        found = [found_child for parent in found for found_child in parent.iterchildren(pattern)]
    return found[0] if found else None


@functools.cache
def _steps(path: str) -> tuple[str, ...]:
    return tuple(any_namespace(step) for step in path.split("/"))


def body_html(body_content) -> str:
    """NITF body.content (also inline in NewsML-G2) as sanitized article HTML, media left out."""
    if body_content is None:
        return ""
    return sanitize_html(inner_xml(body_content, _RENAME, drop=frozenset({"media"})))


def lead_image(body_content) -> dict | None:
    """The first image `media` of a body.content as a lead image."""
    if body_content is None:
        return None
    for media in body_content.iter("{*}media"):
        if media.get("media-type", "image") != "image":
            continue
        reference = child(media, "media-reference")
        source = reference.get("source", "").strip() if reference is not None else ""
        if not source:
            continue
        key = "url" if "://" in source else "path"
        return {
            key: source,
            "alt": plain_text(reference.get("alternate-text", "")),
            "caption": plain_text(xml_text(child(media, "media-caption"))),
            "credit": plain_text(xml_text(child(media, "media-producer"))),
        }
    return None


def byline_names(byline) -> list[str]:
    if byline is None:
        return []
    people = [xml_text(person) for person in byline.iter("{*}person")]
    if people:
        return unique(people)
    text = [byline.text or ""]
    for element in byline:  # the byline's text without its title (byttl: "AP Science Writer")
        if local_name(element.tag) != "byttl":
            text.append(xml_text(element))
        text.append(element.tail or "")
    return split_names(" ".join(text))


def dateline_text(dateline) -> str:
    return xml_text(dateline) if dateline is not None else ""


def _doc_id(docdata) -> str:
    doc_id = _find(docdata, "doc-id")
    return (doc_id.get("id-string", "") if doc_id is not None else "").strip()


def record_from(nitf, line: int | None = None) -> Record | Failure:
    line = (nitf.sourceline or 0) if line is None else line
    docdata = _find(nitf, "head/docdata")
    hedline = _find(nitf, "body/body.head/hedline")
    body_head = _find(nitf, "body/body.head")
    content = _find(nitf, "body/body.content")

    tags = []
    if docdata is not None:
        tags += [keyword.get("key", "") for keyword in docdata.iter("{*}keyword")]
        for identified in children(docdata, "identified-content"):
            for element in identified:
                name = local_name(element.tag)
                if name in _IDENTIFIED:
                    tags.append(xml_text(element) or element.get("value", ""))
                elif name == "classifier":
                    tags.append(element.get("value", ""))
    for subject in nitf.iter("{*}tobject.subject"):
        tags.append(
            subject.get("tobject.subject.detail")
            or subject.get("tobject.subject.matter")
            or subject.get("tobject.subject.type", "")
        )

    dates = []
    try:
        for name in ("date.issue", "date.release"):
            element = _find(docdata, name)
            if element is not None and element.get("norm"):
                dates.append(parse_datetime(element.get("norm")))
    except ValueError as error:
        return Failure(line, f"{name}: {error}")
    version = ""
    du_key = _find(docdata, "du-key")
    if du_key is not None and du_key.get("version"):
        version = du_key.get("version").strip()
        if not version.isdigit():
            return Failure(line, f"du-key version {version!r} is not a number")

    dek = xml_text(_find(hedline, "hl2")) or xml_text(_find(body_head, "abstract"))
    body = prepend_dateline(body_html(content), dateline_text(_find(body_head, "dateline")))
    record = Record(
        external_id=_doc_id(docdata),
        headline=plain_text(xml_text(_find(hedline, "hl1")) or xml_text(_find(nitf, "head/title"))),
        line=line,
        body_html=body,
        dek=plain_text(dek),
        authors=[AuthorRef(name) for name in byline_names(_find(body_head, "byline"))],
        tags=unique(tags),
        published_at=max(dates) if dates else None,
        lead_image=lead_image(content),
        version=version,
    )
    if reason := problem(record):
        return Failure(line, reason)
    return record
