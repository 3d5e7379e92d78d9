"""
The one XML policy for every XML importer (wxr, rss, nitf, newsml): stream items, trust nothing.

- libxml2 (lxml) is told never to load a DTD, never to substitute entities and never to touch the
  network (`load_dtd=False, resolve_entities=False, no_network=True`), and keeps its default limits
  (no huge_tree; entity amplification capped).
- On top of that, before libxml2 reads anything, the prolog is scanned here and the file is rejected
  when its DOCTYPE declares entities (billion laughs, quadratic blowup, external entities with file:
  or http: URLs) or declares or uses parameter entities. A news file has no business doing either, so
  refusing is simpler and safer than trying to neutralise them, and because the decision is ours the
  reason and its line are the same on every libxml2 version. A DOCTYPE that only names an external
  DTD (NITF, XHTML) is accepted: the DTD is never loaded. Only the prolog is read: rejection takes
  milliseconds, whatever the file size.
- Whitespace before the XML declaration (after an optional BOM) is moved to just after it, for the
  check and for libxml2 alike (see leading_space_moved): lines stay right.
- Items are streamed with iterparse and cleared (and their earlier siblings deleted) as soon as the
  caller has turned them into a record, so memory stays flat for a file of any size.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from lxml import etree

from ingest.importers import Deferred, Failure, InvalidInput, Record

PARSER_OPTIONS = {
    "load_dtd": False,
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "dtd_validation": False,
}


_ENCODING_HINT = (
    " (the bytes do not match the declared encoding; UTF-8 unless the XML declaration names another)"
)
_DECLARED_ENCODING = re.compile(rb"<\?xml[^>]*?\sencoding\s*=\s*[\"']([A-Za-z][\w.:\-]*)[\"']")


def _byte_checker(head: bytes):
    """
    A Python decoder for the file's declared encoding when it is neither UTF-8 nor UTF-16 (nor
    overridden by a BOM), else None. libxml2 converts such an encoding a whole chunk at a time, and a
    chunk with one bad byte fails whole: without this check the items of that chunk before the byte
    were lost and the reason named the chunk's first line, not the byte's.
    """
    match = _DECLARED_ENCODING.match(head)
    if match is None or head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return None
    try:
        info = codecs.lookup(match.group(1).decode("ascii"))
    except LookupError:
        return None  # libxml2 says what it thinks of it
    if info.name.startswith(("utf-8", "utf-16", "utf-32")):
        return None
    return info.incrementaldecoder()


# libxml2 reports a namespace name that is not an RFC 3986 URI (an IRI with non-ASCII characters,
# xmlns:x="http://例え.jp/ns") as an error only when the document closes, after parsing all of it:
# namespaces are matched as strings, so the document is fine.
_NAMESPACE_URI_ERRORS = {"WAR_NS_URI", "WAR_NS_URI_RELATIVE"}


def _errors(error: etree.XMLSyntaxError) -> list:
    return [entry for entry in error.error_log if entry.level >= etree.ErrorLevels.ERROR]


def _only_namespace_uri_errors(error: etree.XMLSyntaxError) -> bool:
    errors = _errors(error)
    return bool(errors) and all(entry.type_name in _NAMESPACE_URI_ERRORS for entry in errors)


def _syntax_error(error: etree.XMLSyntaxError) -> InvalidInput:
    # close() can raise a follow-up error ("no element found") after an error that feed() only logged. The
    # exception carries this thread's log, cleared when the stream started: its first error is the cause.
    first = next((entry for entry in _errors(error) if entry.type_name not in _NAMESPACE_URI_ERRORS), None)
    message = (first.message if first else str(error.msg or error)).split(", line ")[0].strip()
    line = first.line if first else error.lineno
    if "amplification" in message or ("entity" in message.lower() and "loop" in message.lower()):
        return InvalidInput(f"rejected: entity expansion ({message})", line=line)
    if "encoding" in message.lower() or "utf-8" in message.lower():
        message += _ENCODING_HINT
    return InvalidInput(f"not well-formed XML: {message}", line=line)


# The prolog is read at most this far: a DOCTYPE longer than this is refused rather than half-checked.
PROLOG_LIMIT = 4 << 20
# What the item stream feeds libxml2 at a time.
CHUNK_SIZE = 64 << 10

_NAME = re.compile(r"[^\s\"'%;>\[\]]+")
_SPACE = re.compile(r"\s*")


# Whitespace (blank lines, a stray indent) before the XML declaration, after an optional UTF-8 BOM.
_LEADING_SPACE = re.compile(rb"(\xef\xbb\xbf)?([ \t\r\n]+)(<\?xml[ \t\r\n][^<>]{0,1024}?\?>)")


def leading_space_moved(head: bytes) -> bytes:
    """
    The start of a file with whitespace before its XML declaration moved to just after it. libxml2
    refuses a declaration that is not at the very start ("XML declaration allowed only at the start of
    the document"), and feeds written by templates often begin with a blank line. Moving the whitespace
    (rather than dropping it) keeps every byte offset and every line after the declaration where it was,
    so the lines in reasons and of items stay right; the BOM stays first. Both the DOCTYPE check and
    the parser read the moved bytes, so the check runs on what libxml2 sees.
    """
    match = _LEADING_SPACE.match(head)
    if match is None:
        return head
    bom, space, declaration = match.groups()
    return (bom or b"") + declaration + space + head[match.end() :]


class _NeedMore(Exception):
    """The prolog goes on past the text read so far."""


def check_doctype(path: Path) -> None:
    """
    Raise InvalidInput("rejected: ...") if the DOCTYPE declares entities (internal, external or
    parameter entities) or uses a parameter entity. The prolog is read here, before libxml2 sees the
    file, so the verdict and its line are ours whatever libxml2's own limits are (they differ between
    versions). A DOCTYPE that only names an external DTD (NITF's `<!DOCTYPE nitf SYSTEM "nitf.dtd">`)
    passes: the DTD is never loaded.
    """
    size = 64 << 10
    with open(path, "rb") as source:
        while True:
            head = source.read(size)
            complete = len(head) < size
            try:
                return _check_prolog(_decode(leading_space_moved(head)), complete)
            except _NeedMore:
                if size >= PROLOG_LIMIT:
                    raise InvalidInput(
                        f"rejected: the DOCTYPE is longer than {PROLOG_LIMIT >> 20} MiB", line=1
                    ) from None
                size *= 4
                source.seek(0)


def _decode(head: bytes) -> str:
    """The bytes as text for the scan: markup is ASCII, so any ASCII-compatible encoding reads as latin-1."""
    for bom, encoding in [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")]:
        if head.startswith(bom):
            return head[2:].decode(encoding, errors="replace")
    if head[:2] == b"<\x00":
        return head.decode("utf-16-le", errors="replace")
    if head[:2] == b"\x00<":
        return head.decode("utf-16-be", errors="replace")
    return head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")


def _check_prolog(text: str, complete: bool) -> None:
    """Scan the XML declaration, comments, processing instructions and the DOCTYPE up to the root."""

    def skip_to(marker: str, start: int) -> int:
        end = text.find(marker, start)
        if end < 0:
            if complete:  # unterminated: libxml2 reports it as the syntax error it is
                raise _Unterminated
            raise _NeedMore
        return end + len(marker)

    def skip_declaration(start: int) -> int:
        """Past the `>` that ends a markup declaration, stepping over quoted literals."""
        pos = start
        while True:
            if pos >= len(text):
                if complete:
                    raise _Unterminated
                raise _NeedMore
            char = text[pos]
            if char in "\"'":
                pos = skip_to(char, pos + 1)
            elif char == ">":
                return pos + 1
            else:
                pos += 1

    def line_at(pos: int) -> int:
        return len(re.findall(r"\r\n|\r|\n", text[:pos])) + 1

    found: list[tuple[str, str, int]] = []  # (kind, description, position) of each forbidden declaration
    pos = 0
    try:
        while True:
            pos = _SPACE.match(text, pos).end()
            if text.startswith("<?", pos):
                pos = skip_to("?>", pos + 2)
            elif text.startswith("<!--", pos):
                pos = skip_to("-->", pos + 4)
            elif text.startswith("<!DOCTYPE", pos):
                pos += len("<!DOCTYPE")
                while pos < len(text) and text[pos] not in "[>":
                    pos = skip_to(text[pos], pos + 1) if text[pos] in "\"'" else pos + 1
                if text.startswith("[", pos):
                    pos = _internal_subset(text, pos + 1, found, skip_to, skip_declaration)
                pos = skip_declaration(pos)
            elif pos >= len(text) and not complete:
                raise _NeedMore
            else:
                break  # the root element (or text libxml2 will report as not well-formed)
    except _Unterminated:
        pass
    except _NeedMore:
        if not found:
            raise
    if found:
        raise _rejection(found, line_at(found[0][2]))


class _Unterminated(Exception):
    """A construct of the prolog never ends: not ours to report."""


def _internal_subset(text, pos, found, skip_to, skip_declaration) -> int:
    """Read the DOCTYPE's [ ... ], noting each entity declaration and parameter entity reference."""
    while True:
        pos = _SPACE.match(text, pos).end()
        if pos >= len(text):
            raise _NeedMore
        if text[pos] == "]":
            return pos + 1
        if text.startswith("<!--", pos):
            pos = skip_to("-->", pos + 4)
        elif text.startswith("<?", pos):
            pos = skip_to("?>", pos + 2)
        elif text.startswith("<!ENTITY", pos):
            start = pos
            pos = _SPACE.match(text, pos + len("<!ENTITY")).end()
            parameter = text.startswith("%", pos)
            if parameter:
                pos = _SPACE.match(text, pos + 1).end()
            name = _NAME.match(text, pos)
            name = name.group() if name else "?"
            end = skip_declaration(pos)
            declaration = text[pos + len(name) : end - 1].strip()
            external = re.match(r"(SYSTEM|PUBLIC)\b", declaration)
            literal = re.findall(r"\"([^\"]*)\"|'([^']*)'", declaration)
            target = "".join(literal[-1]) if literal else ""
            if parameter:
                found.append(("parameter", f"%{name}" + (f" -> {target}" if external else ""), start))
            elif external:
                found.append(("external", f"{name} -> {target}", start))
            else:
                found.append(("internal", name, start))
            pos = end
        elif text.startswith("<!", pos):  # ELEMENT, ATTLIST, NOTATION: harmless
            pos = skip_declaration(pos + 2)
        elif text[pos] == "%":
            reference = _NAME.match(text, pos + 1)
            found.append(("reference", f"%{reference.group() if reference else ''};", pos))
            pos = reference.end() + text.startswith(";", reference.end()) if reference else pos + 1
        elif found:
            raise _Unterminated  # what was found is the reason; the rest does not matter
        else:
            raise InvalidInput(
                f"not well-formed XML: unexpected {text[pos]!r} in the DOCTYPE's internal subset",
                line=len(re.findall(r"\r\n|\r|\n", text[:pos])) + 1,
            )


_REASONS = {
    "internal": "declares entities ({}): entity declarations are not allowed "
    "(they enable billion-laughs and quadratic-blowup attacks)",
    "external": "declares external entities ({}): they would read local files or URLs into the import",
    "parameter": "declares parameter entities ({}): they would load DTD text from elsewhere",
    "reference": "uses parameter entities ({}): they would load DTD text from elsewhere",
}


def _rejection(found: list[tuple[str, str, int]], line: int) -> InvalidInput:
    """One reason for the first forbidden declaration's kind, naming up to five declarations of it."""
    kind = found[0][0]
    names = [description for each_kind, description, _ in found if each_kind == kind]
    listed = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    return InvalidInput(f"rejected: the DOCTYPE {_REASONS[kind].format(listed)}", line=line)


# Per thread: `current`, the element iter_elements has yielded and not yet cleared (see deferred), and
# the parsers that read items again.
_local = threading.local()


def iter_elements(path: Path, tags: tuple[str, ...]) -> Iterator[etree._Element]:
    """
    Yield each element whose tag is in `tags` (lxml tag patterns such as "{*}newsItem") once it is
    complete. The element is cleared when the caller asks for the next one, so use it before then.

    A pull parser, not iterparse: newer libxml2 (lxml 6.2) converts the encoding of a whole chunk before
    parsing it, so a bad byte fails the chunk before the items ahead of it are reported; the pull parser
    keeps the events it had, and those items are yielded before the error is raised.
    """
    check_doctype(path)
    parser = etree.XMLPullParser(events=("end",), tag=tags, **PARSER_OPTIONS)
    etree.clear_error_log()
    failure = None
    with open(path, "rb") as source:
        first, checker, lines, bad_bytes = True, None, 0, None
        while failure is None:
            chunk = source.read(CHUNK_SIZE)
            if first:
                chunk, first = leading_space_moved(chunk), False
                checker = _byte_checker(chunk)
            if checker is not None:
                try:
                    checker.decode(chunk, final=not chunk)
                except UnicodeDecodeError as error:
                    chunk = chunk[: max(error.start, 0)]  # the items before the byte are still read
                    line = lines + chunk.count(b"\n") + 1
                    reason = f"not well-formed XML: Invalid bytes in character encoding{_ENCODING_HINT}"
                    bad_bytes = InvalidInput(reason, line=line)
                lines += chunk.count(b"\n")
            try:
                if chunk:
                    parser.feed(chunk)
                elif bad_bytes is None:
                    parser.close()
            except etree.XMLSyntaxError as error:
                if not _only_namespace_uri_errors(error):
                    failure = _syntax_error(error)
            except (LookupError, ValueError, UnicodeError) as error:  # e.g. a declared encoding libxml2 lacks
                failure = InvalidInput(f"not well-formed XML: {error}")
            for _, element in parser.read_events():
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
            if bad_bytes is not None and failure is None:
                failure = bad_bytes
            if not chunk:
                break
    if failure is not None:
        raise failure


def deferred(
    element, external_id: str, build: Callable[..., Record | Failure], *, context: bytes = b""
) -> Deferred:
    """
    An item element as a ``Deferred`` (see ``read_deferred`` in ingest.importers): serialized now,
    while it is complete (lxml writes the namespace declarations the subtree needs, so the bytes stand
    alone), its digest taken over `context` (what the rest of the file contributes to its record, as
    bytes) and those bytes, and its record built on demand by `build(element, line)`: from the element
    itself while iter_elements has not moved on (an item about to be created is built at once, without
    a second parse), else from a fresh parse of the bytes.
    """
    # UTF-8, not lxml's default ASCII: that writes a non-ASCII name (xmlns:本文, <本文:encoded>) as
    # character references, which no parser reads back
    data = etree.tostring(element, with_tail=False, encoding="utf-8")
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
