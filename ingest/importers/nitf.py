"""
NITF 3.x wire stories (3.0 to 3.6, with or without the 2006-10-18 namespace, with or without a DOCTYPE
naming the external nitf-3-x.dtd, which is never loaded): one `nitf` document per file, or several
inside any wrapper element. Each field is read from the first legal place that has it:

    docdata/doc-id@id-string, else du-key@key       external_id (du-key@part added when it is not 1)
      (+ @part), else doc-id@regsrc + a digest of
      the story's opening, else that digest alone
    hedline/hl1, else head/title, else hedline/hl2  headline
    hedline/hl2 (when not the headline), else       dek
      body.head/abstract
    byline (its person elements, else its text)     authors ("By" and byttl titles removed)
    dateline                                        opens the first paragraph ("WASHINGTON — ...")
    every body.content, in order                    body: hl2 -> h2, block unwrapped, tables kept,
                                                    media taken out, sanitized; desk notes and the
                                                    NYT corpus's repeated lead paragraph left out
    key-list/keyword@key, identified-content        tags
      (person, org, location, event, object.title,
      classifier@value or its text), tobject.subject
    the later of date.issue@norm, date.release@norm published_at (never before the release time)
      else pubdata@date.publication
    du-key@version, else du-key@generation          version (a newer one updates the article)
    the first media of media-type image             lead_image {"path" or "url", "alt", "caption", "credit"}

Dates are NITF's ISO 8601 forms (20240312T143000Z, 20240312T143000-0500, 20240312, 2024-03-12T14:30:00Z).
A date that is invalid or partial never fails its story: a valid day with a broken time gives that day
(midnight UTC), anything else is left out. date.expire is not imported (an article has no expiry field).
A document without body text (a head only) is a failure with that reason: a desk has to chase the copy.
A file with no nitf document at all says so (NoItems).
"""

from __future__ import annotations

import copy
import datetime
import functools
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from articles.sanitize import sanitize_html
from ingest.importers import AuthorRef, Deferred, Failure, NoItems, Record
from ingest.importers.markup import inner_xml, local_name, prepend_dateline, xml_text
from ingest.importers.safexml import (
    any_namespace,
    child,
    children,
    count_tags,
    deferred,
    head_text,
    iter_elements,
    root_name,
)
from ingest.importers.values import parse_datetime, plain_text, problem, split_names, unique

EXTENSIONS = (".xml", ".nitf")
G2 = "http://iptc.org/std/nar/2006-10-01/"
_IDENTIFIED = {"person", "org", "location", "event", "object.title"}
_RENAME = {"hl2": "h2", "hl1": "h2", "block": "div", "bq": "blockquote", "credit": "cite"}
NO_DOCUMENT = "no nitf document in the file"
NO_BODY = "no body text: the document has a head but no body.content text (a head-only NITF)"


def sniff(head: bytes) -> bool:
    # a nitf root, or nitf documents in some wrapper; NITF inside a NewsML-G2 item is newsml's
    text = head_text(head)
    return root_name(text) == "nitf" or ("<nitf" in text and G2 not in text and "<rss" not in text)


def count(path: Path) -> int:
    """An estimate of the items, for the progress bar."""
    return count_tags(path, (b"<nitf>", b"<nitf "))


def read(path: Path) -> Iterator[Record | Failure | NoItems]:
    found = False
    for element in iter_elements(path, ("{*}nitf",)):
        found = True
        yield record_from(element)
    if not found:
        yield NoItems(NO_DOCUMENT)


def read_deferred(path: Path) -> Iterator[Deferred | NoItems]:
    """read(), each document deferred (see ingest.importers); its record depends on its element only."""
    found = False
    for element in iter_elements(path, ("{*}nitf",)):
        found = True
        yield deferred(element, external_id(element), record_from)
    if not found:
        yield NoItems(NO_DOCUMENT)


def _find(element, path: str):
    """
    A descendant by a /-separated path of local names, in any namespace: what element.find() gives, a
    third faster through iterchildren (lxml's C code) than through find's Python ElementPath layer.
    """
    found = [element] if element is not None else []
    for pattern in _steps(path):
        found = [found_child for parent in found for found_child in parent.iterchildren(pattern)]
    return found[0] if found else None


def _find_all(element, path: str) -> list:
    """Every descendant at a /-separated path of local names, in document order."""
    found = [element] if element is not None else []
    for pattern in _steps(path):
        found = [found_child for parent in found for found_child in parent.iterchildren(pattern)]
    return found


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


def _attribute(element, name: str) -> str:
    return " ".join(element.get(name, "").split()) if element is not None else ""


def _headline(nitf) -> tuple[str, bool]:
    """The headline, and whether it is hl2 (which then is not the dek too)."""
    hedline = _find(nitf, "body/body.head/hedline")
    for text, is_hl2 in [
        (xml_text(_find(hedline, "hl1")), False),
        (xml_text(_find(nitf, "head/title")), False),
        (xml_text(_find(hedline, "hl2")), True),
    ]:
        if text := plain_text(text):
            return text, is_hl2
    return "", False


def external_id(nitf) -> str:
    """
    The story's identity, from the first place that has one: doc-id@id-string, du-key@key (its part
    added unless it is 1), else a digest of the story's opening (headline, issue date, the first 200
    characters of its text), after doc-id@regsrc when there is one (AP sends `<doc-id regsrc="AP"/>`).
    The digest is stable: the same story read again matches, while a different story never does.
    """
    docdata = _find(nitf, "head/docdata")
    doc_id = _find(docdata, "doc-id")
    if id_string := _attribute(doc_id, "id-string"):
        return id_string
    du_key = _find(docdata, "du-key")
    if key := _attribute(du_key, "key"):
        part = _attribute(du_key, "part")
        return key if part in ("", "1") else f"{key}/part-{part}"
    text = " ".join(xml_text(content) for content in _find_all(nitf, "body/body.content"))
    opening = "\0".join([_headline(nitf)[0], _attribute(_find(docdata, "date.issue"), "norm"), text[:200]])
    digest = hashlib.sha256(opening.encode()).hexdigest()[:16]
    regsrc = _attribute(doc_id, "regsrc")
    return f"{regsrc}-{digest}" if regsrc else f"nitf-{digest}"


_ISO_DATE = re.compile(
    r"^\d{8}(?:T\d{4}(?:\d{2})?(?:Z|[+-]\d{4})?)?$"  # 20240312T143000Z, 20240312T143000-0500, 20240312
    r"|^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"  # 2024-03-12T14:30Z
)
_DAY = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:$|[T\s])")


def nitf_date(text: str) -> datetime.datetime | None:
    """
    An aware datetime from a NITF date attribute, or None. The ISO 8601 forms only: dateutil's
    guesswork would turn a partial "202403" into a date with today's day. A valid day whose time or
    zone is broken (20240312T250000Z) gives that day at midnight UTC; anything else gives None.
    """
    value = text.strip()
    if _ISO_DATE.match(value):
        try:
            return parse_datetime(value)
        except ValueError:
            pass
    if match := _DAY.match(value):
        try:
            return datetime.datetime(*map(int, match.groups()), tzinfo=datetime.UTC)
        except ValueError:
            return None
    return None


def _publishable(content):
    """
    A body.content without what is not for readers (on a copy, only when there is something to drop):
    a `note` meant for the desk (`noteclass="editorsnote"` or `type="npa"`, a non-publishable advisory),
    and the New York Times Annotated Corpus's repeated lead (`block class="lead_paragraph"` ahead of the
    whole story in `block class="full_text"`).
    """
    classes = {block.get("class", "") for block in content.iterchildren("{*}block")}
    repeated_lead = {"lead_paragraph", "full_text"} <= classes

    def unwanted(element) -> bool:
        name = local_name(element.tag)
        if name == "note":
            return element.get("noteclass") == "editorsnote" or element.get("type") == "npa"
        return repeated_lead and name == "block" and element.get("class") == "lead_paragraph"

    if not any(unwanted(element) for element in content.iter("{*}note", "{*}block")):
        return content
    content = copy.deepcopy(content)
    for element in [element for element in content.iter("{*}note", "{*}block") if unwanted(element)]:
        parent = element.getparent()
        if element.tail and element.tail.strip():  # keep the text that follows the note
            previous = element.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + element.tail
            else:
                parent.text = (parent.text or "") + element.tail
        parent.remove(element)
    return content


def _published_at(nitf, docdata) -> datetime.datetime | None:
    dates = [nitf_date(_attribute(_find(docdata, name), "norm")) for name in ("date.issue", "date.release")]
    dates = [date for date in dates if date is not None]
    if dates:
        return max(dates)
    for pubdata in _find_all(nitf, "head/pubdata"):
        if date := nitf_date(_attribute(pubdata, "date.publication")):
            return date
    return None


def _version(docdata) -> str:
    du_key = _find(docdata, "du-key")
    return _attribute(du_key, "version") or _attribute(du_key, "generation")


def record_from(nitf, line: int | None = None) -> Record | Failure:
    line = (nitf.sourceline or 0) if line is None else line
    docdata = _find(nitf, "head/docdata")
    hedline = _find(nitf, "body/body.head/hedline")
    body_head = _find(nitf, "body/body.head")
    contents = _find_all(nitf, "body/body.content")

    if not any("".join(content.itertext()).strip() for content in contents):
        return Failure(line, NO_BODY)
    version = _version(docdata)
    if version and not (version.isascii() and version.isdigit()):
        return Failure(line, f"du-key version {version!r} is not a number")

    tags = []
    if docdata is not None:
        tags += [keyword.get("key", "") for keyword in docdata.iter("{*}keyword")]
        for identified in children(docdata, "identified-content"):
            for element in identified:
                name = local_name(element.tag)
                if name in _IDENTIFIED:
                    tags.append(xml_text(element) or element.get("value", ""))
                elif name == "classifier":  # a code in @value (AP), or a term as text (NYT)
                    tags.append(element.get("value", "") or xml_text(element))
    for subject in nitf.iter("{*}tobject.subject"):
        tags.append(
            subject.get("tobject.subject.detail")
            or subject.get("tobject.subject.matter")
            or subject.get("tobject.subject.type", "")
        )

    headline, headline_is_hl2 = _headline(nitf)
    dek = "" if headline_is_hl2 else xml_text(_find(hedline, "hl2"))
    dek = dek or xml_text(_find(body_head, "abstract"))
    body = "".join(body_html(_publishable(content)) for content in contents)
    body = prepend_dateline(body, dateline_text(_find(body_head, "dateline")))
    image = next(filter(None, (lead_image(content) for content in contents)), None)
    record = Record(
        external_id=external_id(nitf),
        headline=headline,
        line=line,
        body_html=body,
        dek=plain_text(dek),
        authors=[AuthorRef(name) for name in byline_names(_find(body_head, "byline"))],
        tags=unique(tags),
        published_at=_published_at(nitf, docdata),
        lead_image=image,
        version=version,
    )
    if reason := problem(record):
        return Failure(line, reason)
    return record
