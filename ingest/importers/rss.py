"""
RSS 0.9x/2.0, RSS 1.0 (RDF) and RSS 0.90, and Atom 1.0 (and 0.3) feeds, streamed item by item with the
safe XML parser (no feedparser: it would hold the whole feed in memory and may fetch URLs).

Elements are matched by namespace URI, never by prefix (`dc:` may be bound as `dublin:`, Atom may be the
default namespace or `atom:`), and only in the namespaces below: a `media:title` or an element of some
other extension namespace is never taken for the item's `title`. An RSS item's own elements are those in
the item's namespace: none for RSS 0.9x/2.0, `http://purl.org/rss/1.0/` for RSS 1.0, and so on.

    RSS item                          Atom entry                  Record
    guid (else link)                  id (else link)              external_id
    title (else the description's     title (else the first       headline (markup removed)
      first sentence: RSS allows an     sentence of the body:
      item with only a description)     Blogger's untitled posts)
    description, when content:encoded summary, when content       dek (plain text)
    content:encoded (else description, content (else summary)     body, sanitized
      else itunes:summary)
    dc:creator (each), author, else   author/name (each)          authors
      itunes:author
    category, dc:subject (each)       category@term (or @label)   tags
    pubDate (else dc:date)            published (else updated)    published_at
    -                                 updated                     updated_at
    link (else a permalink guid)      link rel=alternate          canonical_url (absolute, or none)
    media:content, media:thumbnail, an image enclosure (RSS enclosure, Atom link rel=enclosure)
                                                                  lead_image {"url", "alt", "caption", ...}

Relative links (the item's link, `src` and `href` in its body, the lead image) are resolved (RFC 3986,
urllib.parse.urljoin) against the xml:base in force on the item (xml:base of the feed, the entry, the
content element), which is itself resolved against the feed's own link. A link that is still relative is
no canonical URL.

A well-formed feed without any item says so, once: "feed has no items" (RSS), "feed has no entries" (Atom).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterator
from pathlib import Path

from articles.sanitize import sanitize_html
from ingest.importers import AuthorRef, Deferred, Failure, NoItems, Record
from ingest.importers.markup import autop, inner_xml, local_name, resolve_urls
from ingest.importers.safexml import (
    count_tags,
    deferred,
    head_text,
    iter_elements,
    root_name,
)
from ingest.importers.values import (
    absolute_url,
    headline_from_text,
    join_url,
    parse_datetime,
    plain_text,
    problem,
    split_names,
    unique,
    url_parts,
)

EXTENSIONS = (".rss", ".atom", ".xml", ".rdf")
ATOM = "http://www.w3.org/2005/Atom"
ATOM_03 = "http://purl.org/atom/ns#"
# RSS item namespaces: none (0.91, 0.92, 2.0), RSS 1.0, RSS 0.90, and two that some RSS 2.0 feeds declared
RSS = (
    "",
    "http://purl.org/rss/1.0/",
    "http://my.netscape.com/rdf/simple/0.9/",
    "http://backend.userland.com/rss2",
    "http://blogs.law.harvard.edu/tech/rss",
)
DC = ("http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/")
CONTENT = ("http://purl.org/rss/1.0/modules/content/",)
MRSS = ("http://search.yahoo.com/mrss/", "http://search.yahoo.com/mrss")
ITUNES = ("http://www.itunes.com/dtds/podcast-1.0.dtd",)
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XHTML = ("http://www.w3.org/1999/xhtml", "")
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
NO_ITEMS = "feed has no items"  # RSS, any version
NO_ENTRIES = "feed has no entries"  # Atom
_ENTRIES = (f"{{{ATOM}}}entry", f"{{{ATOM_03}}}entry")
_ITEMS = tuple(f"{{{ns}}}item" if ns else "item" for ns in RSS) + _ENTRIES
_EMAIL_NAME = re.compile(r"^\s*\S+@\S+\s*\((.+)\)\s*$")  # RSS <author>: "jane@example.com (Jane Doe)"
_IMAGE_PATH = re.compile(r"\.(jpe?g|png|gif|webp|avif)$", re.I)  # the URL's path: a query may follow


def sniff(head: bytes) -> bool:
    text = head_text(head)
    if "wordpress.org/export/" in text:
        return False
    return root_name(text) in {"rss", "RDF"} or (
        root_name(text) == "feed" and (ATOM in text or ATOM_03 in text)
    )


def count(path: Path) -> int:
    """An estimate of the items, for the progress bar."""
    return count_tags(path, (b"<item>", b"<item ", b"<entry>", b"<entry "))


def read(path: Path) -> Iterator[Record | Failure | NoItems]:
    feed = _Feed()
    for element in iter_elements(path, _ITEMS):
        base = feed.base(element)
        yield (_entry if element.tag in _ENTRIES else _item)(element, base=base)
    if not feed.items:
        yield _no_items(path)


def read_deferred(path: Path) -> Iterator[Deferred | NoItems]:
    """
    read(), each item deferred (see ingest.importers): an item's record depends on its element and the
    base URL the feed around it gives it (in its fingerprint).
    """
    feed = _Feed()
    for element in iter_elements(path, _ITEMS):
        base = feed.base(element)
        build = functools.partial(_entry if element.tag in _ENTRIES else _item, base=base)
        if element.tag in _ENTRIES:
            external_id = _text(element, _ns(element), "id") or _entry_link(element, base)
        else:
            external_id = _text(element, _ns(element), "guid") or _item_link(element, base)
        yield deferred(element, external_id, build, context=base.encode() + b"\x00")
    if not feed.items:
        yield _no_items(path)


def _no_items(path: Path) -> NoItems:
    with path.open("rb") as f:
        root = root_name(head_text(f.read(4096)))
    if root == "feed":
        return NoItems(NO_ENTRIES)
    if root in {"rss", "RDF"}:
        return NoItems(NO_ITEMS)
    return NoItems(f"no RSS item or Atom entry (the root element is <{root}>)")


class _Feed:
    """What the feed around the items gives them: the feed's own link, the base URL of relative links."""

    def __init__(self):
        self.items = 0
        self.link = ""

    def base(self, item) -> str:
        """The base URL of the item's parent: the feed's link, then each ancestor's xml:base."""
        self.items += 1
        ancestors = list(item.iterancestors())[::-1]
        if not self.link:
            # Read at each item until found: iter_elements deletes an item's earlier siblings (the
            # channel's own link among them) once the item is read.
            self.link = _own_link(item.getparent(), ancestors)
        return _bases(ancestors, self.link)


def _own_link(parent, ancestors) -> str:
    """The feed's link: Atom feed/link rel=alternate, RSS channel/link (RSS 1.0: the channel before items)."""
    if parent is None:
        return ""
    namespace = _ns(parent)
    if namespace in (ATOM, ATOM_03):
        # the feed's own xml:base is applied by _entry_link
        return absolute_url(_entry_link(parent, _bases(ancestors[:-1], "")))
    for channel in [parent, *parent.iterchildren(*(f"{{{ns}}}channel" if ns else "channel" for ns in RSS))]:
        if link := _text(channel, _ns(channel), "link"):
            return absolute_url(link)
    return ""


def _join(base: str, url: str) -> str:
    url = url.strip()
    return join_url(base, url) if base and url else url


def _base(element, base: str) -> str:
    """`base` with the xml:base of `element` (and nothing above it) applied."""
    if value := element.get(XML_BASE, "").strip():
        return join_url(base, value)
    return base


def _bases(elements, base: str) -> str:
    """`base` with the xml:base of each of `elements`, outermost first, applied."""
    for element in elements:
        base = _base(element, base)
    return base


# --- namespace-exact lookups ---------------------------------------------------------------------------


def _ns(element) -> str:
    """The namespace URI of an element's tag, "" for none (also for the "rdf:RDF" of an undeclared prefix)."""
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


@functools.cache
def _tags(namespaces: tuple[str, ...] | str, name: str) -> tuple[str, ...]:
    if isinstance(namespaces, str):
        namespaces = (namespaces,)
    return tuple(f"{{{ns}}}{name}" if ns else name for ns in namespaces)


def _all(element, namespaces, name: str) -> list:
    return list(element.iterchildren(*_tags(namespaces, name)))


def _first(element, namespaces, name: str):
    return next(element.iterchildren(*_tags(namespaces, name)), None)


def _text(element, namespaces, name: str) -> str:
    found = _first(element, namespaces, name)
    return (found.text or "").strip() if found is not None else ""


def _date(text: str):
    return parse_datetime(text) if text else None


# --- images ----------------------------------------------------------------------------------------------


def _image(item, enclosures: list, base: str) -> dict | None:
    """The first image among media:content, media:thumbnail (also in a media:group) and enclosures."""
    candidates = [
        element
        for group in [item, *_all(item, MRSS, "group")]
        for element in [*_all(group, MRSS, "content"), *_all(group, MRSS, "thumbnail")]
    ]
    # the widest rendition first (the Guardian lists 140 then 460 pixels wide), else in document order
    candidates.sort(key=lambda element: -_width(element))
    for element in candidates + enclosures:
        url = element.get("url", "").strip()
        kind = element.get("medium", "") or element.get("type", "")
        is_image = kind.startswith("image") or local_name(element.tag) == "thumbnail"
        if url and (is_image or (not kind and _IMAGE_PATH.search(url_parts(url).path))):
            parent = element.getparent()
            return {
                "url": _join(base, url),
                "alt": plain_text(_media_text(element, parent, "title")),
                "caption": plain_text(_media_text(element, parent, "description")),
                "credit": plain_text(_media_text(element, parent, "credit")),
            }
    return None


def _width(element) -> int:
    width = element.get("width", "").strip()
    return int(width) if width.isdigit() else 0


def _media_text(element, parent, name: str) -> str:
    for scope in (element, parent):
        for found in _all(scope, MRSS, name):
            if found.text:
                return found.text
    return ""


# --- RSS -------------------------------------------------------------------------------------------------


def _item_link(item, base: str) -> str:
    """The item's link resolved against `base` and its xml:base, else its rdf:about (RSS 1.0)."""
    own = _ns(item)
    link = _text(item, own, "link") or item.get(f"{{{RDF}}}about", "").strip()
    return _join(_base(item, base), link)


def _permalink_guid(item, base: str) -> str:
    guid = _first(item, _ns(item), "guid")
    if guid is None or guid.get("isPermaLink", "true").strip().lower() == "false":
        return ""
    return absolute_url(_join(_base(item, base), guid.text or ""))


def _item(item, line: int | None = None, *, base: str = "") -> Record | Failure:
    line = (item.sourceline or 0) if line is None else line
    own = _ns(item)
    base = _base(item, base)
    encoded = _first(item, CONTENT, "encoded")
    description = _text(item, own, "description")
    if encoded is not None:
        body_base, body = _base(encoded, base), encoded.text or ""
    else:
        body_base, body = base, description or _text(item, ITUNES, "summary")
    names = [n for creator in _all(item, DC, "creator") for n in split_names(creator.text or "")]
    if author := _text(item, own, "author"):
        match = _EMAIL_NAME.match(author)
        names += split_names(match.group(1) if match else author)
    if not names:
        names = split_names(_text(item, ITUNES, "author"))
    link = _item_link(item, base)
    try:
        published_at = _date(_text(item, own, "pubDate") or _text(item, DC, "date"))
    except ValueError as error:
        return Failure(line, str(error))
    title = plain_text(_text(item, own, "title"))
    record = Record(
        external_id=_text(item, own, "guid") or link,
        headline=title or headline_from_text(description or body),
        line=line,
        body_html=resolve_urls(sanitize_html(autop(body)), body_base),
        body_sanitized=True,
        dek=plain_text(description) if encoded is not None else "",
        authors=[AuthorRef(name) for name in unique(names)],
        tags=unique(e.text or "" for e in _all(item, own, "category") + _all(item, DC, "subject")),
        published_at=published_at,
        canonical_url=absolute_url(link) or _permalink_guid(item, base),
        lead_image=_image(item, _all(item, own, "enclosure"), base),
    )
    if reason := problem(record):
        return Failure(line, reason)
    return record


# --- Atom ------------------------------------------------------------------------------------------------


def _atom_text(element) -> str:
    """
    An Atom text construct as HTML: type text (escaped), html, or xhtml (a div of inline markup). Atom 0.3:
    mode escaped (HTML when the type says so), xml (inline markup); base64 is not read.
    """
    if element is None:
        return ""
    kind = element.get("type", "text")
    if _ns(element) == ATOM_03:
        mode = element.get("mode", "xml")
        if mode == "base64":
            return ""
        if mode == "xml" and len(element):
            div = _first(element, _XHTML, "div")
            return inner_xml(div if div is not None else element)
        kind = "html" if "html" in kind else "text"
    if kind in {"xhtml", "application/xhtml+xml"}:
        div = _first(element, _XHTML, "div")
        return inner_xml(div if div is not None else element)
    if kind in {"html", "text/html"}:
        return element.text or ""
    return html.escape(element.text or "", quote=False)


def _entry_link(entry, base: str) -> str:
    base = _base(entry, base)
    for element in _all(entry, _ns(entry), "link"):
        if element.get("rel", "alternate") == "alternate" and (href := element.get("href", "").strip()):
            return _join(_base(element, base), href)
    return ""


def _entry(entry, line: int | None = None, *, base: str = "") -> Record | Failure:
    line = (entry.sourceline or 0) if line is None else line
    atom = _ns(entry)
    link = _entry_link(entry, base)
    base = _base(entry, base)
    enclosures = [
        element
        for element in _all(entry, atom, "link")
        if element.get("rel") == "enclosure" and element.get("type", "").startswith("image/")
    ]
    image = _image(entry, [], base)
    if image is None and enclosures:
        href, title = enclosures[0].get("href", ""), plain_text(enclosures[0].get("title"))
        image = {"url": _join(base, href), "alt": title, "caption": "", "credit": ""}
    content, summary = _first(entry, atom, "content"), _first(entry, atom, "summary")
    body_element = content if content is not None else summary
    body = _atom_text(body_element)
    body_base = _base(body_element, base) if body_element is not None else base
    names = [_text(author, atom, "name") for author in _all(entry, atom, "author")]
    names += [_text(author, atom, "name") for author in _all(entry, atom, "contributor")]
    published, updated = ("published", "updated") if atom == ATOM else ("issued", "modified")
    try:
        published_at = _date(_text(entry, atom, published) or _text(entry, atom, updated))
        updated_at = _date(_text(entry, atom, updated))
    except ValueError as error:
        return Failure(line, str(error))
    record = Record(
        external_id=_text(entry, atom, "id") or link,
        headline=plain_text(_atom_text(_first(entry, atom, "title"))) or headline_from_text(body),
        line=line,
        body_html=resolve_urls(sanitize_html(autop(body)), body_base),
        body_sanitized=True,
        dek=plain_text(_atom_text(summary)) if content is not None else "",
        authors=[AuthorRef(name) for name in unique(names)],
        tags=unique(c.get("label") or c.get("term", "") for c in _all(entry, atom, "category")),
        published_at=published_at,
        updated_at=updated_at,
        canonical_url=absolute_url(link),
        lead_image=image,
    )
    if reason := problem(record):
        return Failure(line, reason)
    return record
