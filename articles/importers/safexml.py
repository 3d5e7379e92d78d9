"""
The one XML policy for every XML importer (wxr, rss, nitf, newsml): stream items, trust nothing.

- libxml2 (lxml) is told never to load a DTD, never to substitute entities and never to touch the
  network (`load_dtd=False, resolve_entities=False, no_network=True`), and keeps its default limits
  (no huge_tree; entity amplification capped).
- On top of that, before any item is read, the document type is inspected and the file is rejected
  when its DOCTYPE declares entities (billion laughs, quadratic blowup, external entities with file:
  or http: URLs, parameter entities) or names an external DTD (DTD retrieval). A news file has no
  business doing either, so refusing is simpler and safer than trying to neutralise them. Both are
  found while the parser is still in the prolog: rejection takes milliseconds, whatever the file size.
- Items are streamed with iterparse and cleared (and their earlier siblings deleted) as soon as the
  caller has turned them into a record, so memory stays flat for a file of any size.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from lxml import etree

from articles.importers import Deferred, Failure, InvalidInput, Record

PARSER_OPTIONS = {
    "load_dtd": False,
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "dtd_validation": False,
}


def _syntax_error(error: etree.XMLSyntaxError, events: etree.iterparse) -> InvalidInput:
    # iterparse can raise a follow-up error ("no element found"); its own log of this run has the first
    first = next((entry for entry in events.error_log if entry.level >= etree.ErrorLevels.ERROR), None)
    message = (first.message if first else str(error.msg or error)).split(", line ")[0].strip()
    line = first.line if first else error.lineno
    if "amplification" in message or ("entity" in message.lower() and "loop" in message.lower()):
        return InvalidInput(f"rejected: entity expansion ({message})", line=line)
    if "encoding" in message.lower() or "utf-8" in message.lower():
        message += (
            " (the bytes do not match the declared encoding; UTF-8 unless the XML declaration names another)"
        )
    return InvalidInput(f"not well-formed XML: {message}", line=line)


def check_doctype(path: Path) -> None:
    """Raise InvalidInput("rejected: ...") if the document type declares entities or an external DTD."""
    with open(path, "rb") as source:
        events = etree.iterparse(source, events=("start",), **PARSER_OPTIONS)
        try:
            _, root = next(events)
        except StopIteration:
            raise InvalidInput("empty XML document") from None
        except etree.XMLSyntaxError as error:
            raise _syntax_error(error, events) from None
        except (LookupError, ValueError, UnicodeError) as error:  # e.g. a declared encoding libxml2 lacks
            raise InvalidInput(f"not well-formed XML: {error}") from None
        docinfo = root.getroottree().docinfo
        internal = docinfo.internalDTD
        entities = [entity.name for entity in internal.iterentities()] if internal is not None else []
        if entities:
            names = ", ".join(entities[:5]) + (", ..." if len(entities) > 5 else "")
            raise InvalidInput(
                f"rejected: the DOCTYPE declares entities ({names}); entity declarations are not allowed "
                "(they enable billion-laughs, quadratic-blowup and external-entity attacks)",
                line=1,
            )
        if dtd := docinfo.system_url or docinfo.public_id:
            raise InvalidInput(
                f"rejected: the DOCTYPE refers to an external DTD ({dtd}): "
                "DTDs are never loaded: remove the DOCTYPE line to import this file",
                line=1,
            )


# Per thread: `current`, the element iter_elements has yielded and not yet cleared (see deferred), and
# the parsers that read items again.
_local = threading.local()


def iter_elements(path: Path, tags: tuple[str, ...]) -> Iterator[etree._Element]:
    """
    Yield each element whose tag is in `tags` (lxml tag patterns such as "{*}newsItem") once it is
    complete. The element is cleared when the caller asks for the next one, so use it before then.
    """
    check_doctype(path)
    with open(path, "rb") as source:
        events = etree.iterparse(source, events=("end",), tag=tags, **PARSER_OPTIONS)
        try:
            for _, element in events:
                _local.current = element
                try:
                    yield element
                finally:
                    _local.current = None
                element.clear(keep_tail=True)
                parent = element.getparent()
                if parent is not None:
                    while element.getprevious() is not None:
                        del parent[0]
        except etree.XMLSyntaxError as error:
            raise _syntax_error(error, events) from None
        except (LookupError, ValueError, UnicodeError) as error:  # e.g. a declared encoding libxml2 lacks
            raise InvalidInput(f"not well-formed XML: {error}") from None


def deferred(
    element, external_id: str, build: Callable[..., Record | Failure], *, context: bytes = b""
) -> Deferred:
    """
    An item element as a ``Deferred`` (see ``read_deferred`` in articles.importers): serialized now,
    while it is complete (lxml writes the namespace declarations the subtree needs, so the bytes stand
    alone), its digest taken over `context` (what the rest of the file contributes to its record, as
    bytes) and those bytes, and its record built on demand by `build(element, line)`: from the element
    itself while iter_elements has not moved on (an item about to be created is built at once, without
    a second parse), else from a fresh parse of the bytes.
    """
    data = etree.tostring(element, with_tail=False)
    line = element.sourceline or 0
    digest = hashlib.sha256(context + data).hexdigest()
    return Deferred(external_id, line, digest, functools.partial(_build, element, data, line, build))


def _build(read, data: bytes, line: int, build: Callable[..., Record | Failure]) -> Record | Failure:
    if getattr(_local, "current", None) is read:  # not cleared yet: no need to parse it again
        return build(read, line)
    try:
        element = etree.fromstring(data, _parser(recover=False))
    except etree.XMLSyntaxError:
        # Namespace errors (an invalid namespace URI, an undeclared prefix) do not stop libxml2 before the
        # end of a document, so iter_elements yields the items of such a file before it fails, and the
        # items carry them into their bytes. Read them again the way the stream did: leniently.
        try:
            element = etree.fromstring(data, _parser(recover=True))
        except etree.XMLSyntaxError as error:  # not expected: a failure, not a crash
            return Failure(line, f"cannot read the item again: {error}")
        if element is None:
            return Failure(line, "cannot read the item again")
    return build(element, line)


def _parser(*, recover: bool) -> etree.XMLParser:
    """This thread's parser for re-reading items (lxml parsers must not be shared between threads)."""
    name = "recovering" if recover else "strict"
    parser = getattr(_local, name, None)
    if parser is None:
        parser = etree.XMLParser(**PARSER_OPTIONS, recover=recover)
        setattr(_local, name, parser)
    return parser


def count_tags(path: Path, patterns: tuple[bytes, ...]) -> int:
    """
    How many times the start tags in `patterns` occur in the file: a byte scan (no parsing), the cheap
    item estimate import_articles shows in its progress bar.
    """
    overlap = max(len(pattern) for pattern in patterns) - 1
    total, tail = 0, b""
    with open(path, "rb") as source:
        while chunk := source.read(1 << 20):
            window = tail + chunk
            total += sum(window.count(pattern) for pattern in patterns)
            tail = window[-overlap:]
    return total


# iterchildren() with a tag filter runs in lxml's C code; find() goes through its Python ElementPath
# layer first, which made these lookups a fifth of a wire item's parsing time.


def child(element, name: str):
    """The first child with local name `name`, in any namespace (WXR and G2 namespaces vary by version)."""
    return next(element.iterchildren(any_namespace(name)), None)


def children(element, name: str) -> list:
    return list(element.iterchildren(any_namespace(name)))


def text_of(element, name: str) -> str:
    """The stripped text of the first child `name`, or ""."""
    found = next(element.iterchildren(any_namespace(name)), None)
    if found is None or found.text is None:
        return ""
    return found.text.strip()


@functools.cache
def any_namespace(path: str) -> str:
    """The ElementPath of a /-separated path of local names in any namespace: a/b -> {*}a/{*}b."""
    return "/".join(f"{{*}}{step}" for step in path.split("/"))


_ROOT = re.compile(r"<(?![?!])([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")


def root_name(text: str) -> str:
    """The local name of the first element in the start of a document ("" if there is none yet)."""
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    match = _ROOT.search(text)
    return match.group(2) if match else ""


def head_text(head: bytes) -> str:
    """The start of a file as text for sniffing, whatever its Unicode encoding (UTF-16 files exist)."""
    for bom, encoding in [(b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")]:
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="ignore")
    if head[:2] == b"<\x00":
        return head.decode("utf-16-le", errors="ignore")
    if head[:2] == b"\x00<":
        return head.decode("utf-16-be", errors="ignore")
    return head.decode("latin-1")
