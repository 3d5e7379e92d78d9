"""
Turning the body markup of the archive and wire formats into article HTML. Every result goes through
articles.sanitize (the admin's allow-list), so a file can never bring in what an editor could not.
"""

from __future__ import annotations

import html
import re

from articles.sanitize import sanitize_html
from ingest.importers.values import absolute_url, join_url, url_parts


def local_name(tag) -> str:
    """`{http://iptc.org/...}headline` -> `headline`; "" for comments and processing instructions."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def text_to_html(text: str) -> str:
    """
    Plain text: blank lines separate paragraphs, single line breaks become <br>. The text is escaped the
    way the sanitizer's serializer escapes text, so the result is already in its output form (see
    text_to_sanitized_html).
    """
    # Escaped once as a whole (escaping leaves whitespace alone, so the splits below are the same).
    text = _escape_text(text.replace("\r\n", "\n").replace("\r", "\n").strip())
    paragraphs = []
    for p in _PARAGRAPH_BREAK.split(text):
        if p := p.strip():
            lines = p if "\n" not in p else "<br>".join(line.strip() for line in p.split("\n"))
            paragraphs.append(f"<p>{lines}</p>")
    return "".join(paragraphs)


def text_to_sanitized_html(text: str) -> str:
    """
    sanitize_html(text_to_html(text)), without the sanitizer's parse when it would change nothing:
    escaped text in <p> and <br> is exactly what it returns, unless the text holds control characters,
    which the HTML parser may drop (NUL). For a CSV archive of plain-text bodies the sanitizer was the
    largest cost of reading a row.
    """
    markup = text_to_html(text)
    return sanitize_html(markup) if _CONTROL_CHARACTER.search(markup) else markup


def _escape_text(text: str) -> str:
    # As html5ever serializes a text node: &, <, > and no-break spaces; quotes stay as they are.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\xa0", "&nbsp;")


_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


_BLOCK = re.compile(
    r"^<(?:p|h[1-6]|ul|ol|li|dl|blockquote|figure|table|pre|div|hr|section|address)\b", re.IGNORECASE
)


def autop(markup: str) -> str:
    """
    HTML whose paragraphs are only separated by blank lines (WordPress's classic editor stores bodies
    like that and adds <p> on display, wpautop) -> paragraphs wrapped in <p>; block elements stay as
    they are.
    """
    chunks = re.split(r"\n\s*\n", markup.replace("\r\n", "\n").replace("\r", "\n").strip())
    out = []
    for chunk in chunks:
        chunk = chunk.strip()
        if not chunk:
            continue
        if _BLOCK.match(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + re.sub(r"\s*\n\s*", "<br>\n", chunk) + "</p>")
    return "\n".join(out)


def inner_xml(element, rename: dict[str, str] | None = None, drop: frozenset = frozenset()) -> str:
    """
    The children of a (namespaced) XML element serialized as HTML markup, namespaces removed, tags
    renamed by `rename` (NITF's hl2 -> h2) and subtrees in `drop` left out. Unknown tags survive this
    step and are removed, keeping their text, by the sanitizer.
    """
    rename = rename or {}
    parts = [html.escape(element.text or "", quote=False)]
    for child in element:
        parts.append(_to_html(child, rename, drop))
    return "".join(parts)


def _to_html(element, rename, drop) -> str:
    tail = html.escape(element.tail or "", quote=False)
    name = local_name(element.tag)
    if not name or name in drop:  # comments, processing instructions, dropped subtrees
        return tail
    name = rename.get(name, name)
    attributes = "".join(
        f' {key}="{html.escape(value)}"' for key, value in element.attrib.items() if "}" not in key
    )
    inner = inner_xml(element, rename, drop)
    if name in {"br", "hr", "img"}:
        return f"<{name}{attributes}>{tail}"
    return f"<{name}{attributes}>{inner}</{name}>{tail}"


def prepend_dateline(body_html: str, dateline: str) -> str:
    """Wire style: the dateline opens the first paragraph (`WASHINGTON — The Senate ...`)."""
    if not dateline:
        return body_html
    lead = html.escape(dateline.strip().rstrip("—-– ").strip(), quote=False) + " — "
    if body_html.startswith("<p>"):
        return "<p>" + lead + body_html[3:]
    return f"<p>{lead.rstrip(' —')}</p>{body_html}"


def xml_text(element) -> str:
    """All text inside an element (for elements that may hold inline markup, such as NITF hl1)."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


_URL_ATTRIBUTE = re.compile(r'\b(src|href)="([^"]*)"')


def resolve_urls(body: str, base: str) -> str:
    """Relative src and href attributes of sanitized HTML resolved against `base` (when it is absolute)."""
    if not absolute_url(base):
        return body

    def resolve(match: re.Match) -> str:
        url = html.unescape(match.group(2))
        if url_parts(url).scheme or url.startswith("#"):
            return match.group(0)
        return f'{match.group(1)}="{html.escape(join_url(base, url), quote=True)}"'

    return _URL_ATTRIBUTE.sub(resolve, body)
