"""
WordPress eXtended RSS (WXR 1.0-1.2, Tools > Export): posts become articles; everything else is skipped
and counted (pages, attachments, menu items, revisions, custom post types, private, trashed and
password-protected posts).

    item/guid (else wp:post_id, link,    external_id
      else a digest of title+date+slug)
    item/title                           headline
    excerpt:encoded                      dek
    content:encoded                      body: block comments dropped, [caption] -> figure/figcaption,
                                         [gallery] and [playlist] dropped, blank-line paragraphs
                                         wrapped in <p> (wpautop), sanitized
    wp:post_name                         slug
    dc:creator (+ Co-Authors Plus terms) authors, shown by the wp:author display name of that login
                                         (first + last name when there is none, or it is the login)
    category domain=category             the first is the section, the others tags (one equal to the
      (or no domain: WXR 1.0)              section is not repeated; "uncategorized" is no section)
    category domain=post_tag (tag: 1.0)  tags
    wp:status                            publish -> published, future -> scheduled, draft -> draft,
                                         pending -> in_review; private, trash, auto-draft and inherit
                                         skipped; empty, missing or unknown (plugin) statuses -> draft
    wp:post_password                     a post with one is skipped (kind "password")
    wp:post_date_gmt (else pubDate)      published_at; 0000-00-00 (never published) is none
    wp:post_modified_gmt                 updated_at
    item/link                            canonical_url
    _thumbnail_id -> the attachment      lead_image {"url", "alt", "caption", "credit"}

A file with attachments is read twice: first for the wp:author list and the attachments (a post's
featured image usually comes after the post), then for the posts. Both passes stream. A file that never
mentions an attachment (a byte scan) is read once, the authors taken as the channel lists them: WordPress
writes its wp:author list at the head of the channel, before any item.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from django.utils.text import slugify
from lxml import etree

from articles.sanitize import sanitize_html
from ingest.importers import AuthorRef, Deferred, Failure, NoItems, Record, Skipped
from ingest.importers.markup import autop
from ingest.importers.safexml import (
    children,
    count_tags,
    deferred,
    head_text,
    iter_elements,
    root_name,
    text_of,
)
from ingest.importers.values import parse_datetime, plain_text, problem, unique

EXTENSIONS = (".xml", ".wxr")
STATUSES = {"publish": "published", "future": "scheduled", "draft": "draft", "pending": "in_review"}
# wp:status values that are deliberately not imported: kind -> reason. An empty or missing status, and a
# status some plugin invented ("archive"), import as a draft: that is what the WordPress importer does with
# an empty one, and a draft is what an editor can check before anything goes public.
SKIPPED_STATUSES = {
    "private": "a private post",
    "trash": "a trashed post",
    "auto-draft": "an auto-draft (never saved by its author)",
    "inherit": "a revision (inherits its parent's status)",
}
_WP = "http://wordpress.org/export/"
# Not "{*}author": that also matches an item's own <wp:author> or <author>, and iter_elements would clear
# the item's earlier children (title, post_id) when it yields one. Channel header elements are read as the
# preceding siblings of each item instead, and from the channel itself at its end.
_ITEMS = ("item", "channel")
_NO_DATE = "0000-00-00 00:00:00"
_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->", re.DOTALL)
_CAPTION = re.compile(r"\[caption([^\]]*)\](.*?)\[/caption\]", re.DOTALL | re.IGNORECASE)
_CAPTION_MEDIA = re.compile(
    r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.DOTALL | re.IGNORECASE
)
_CAPTION_ATTRIBUTE = re.compile(r'caption="([^"]*)"', re.IGNORECASE)
# Shortcodes WordPress expands from other posts (attachments) on display; left as text they are noise
_MEDIA_SHORTCODE = re.compile(r"\[(?:gallery|playlist)\b[^\]]*\]", re.IGNORECASE)


def sniff(head: bytes) -> bool:
    text = head_text(head)
    return root_name(text) == "rss" and _WP in text


def _is_wp(element) -> bool:
    return isinstance(element.tag, str) and element.tag.startswith("{" + _WP)


def _postmeta(item) -> dict[str, str]:
    return {text_of(meta, "meta_key"): text_of(meta, "meta_value") for meta in children(item, "postmeta")}


def _elements(path: Path):
    """Each item, each channel header element before it (wp:author, wp:category...), the trailing ones."""
    for element in iter_elements(path, _ITEMS):
        if element.tag == "item":
            yield from reversed([e for e in element.itersiblings(preceding=True) if e.tag != "item"])
            yield element
        else:
            later = []
            for e in reversed(list(element)):
                if e.tag == "item":
                    break
                later.append(e)
            yield from reversed(later)


def _first_pass(path: Path) -> tuple[dict[str, str], dict[str, dict]]:
    """The author logins' display names and the attachments by post id."""
    authors, attachments = {}, {}
    for element in _elements(path):
        if element.tag == "item":
            if text_of(element, "post_type") == "attachment":
                meta = _postmeta(element)
                url = text_of(element, "attachment_url") or text_of(element, "guid")
                caption = plain_text(_excerpt(element))
                attachments[text_of(element, "post_id")] = {
                    "url": url,
                    "alt": plain_text(meta.get("_wp_attachment_image_alt", "")),
                    "caption": caption,
                    "credit": plain_text(meta.get("_media_credit", "")),
                }
        elif author := _channel_author(element):
            authors[author[0]] = author[1]
    return authors, attachments


def _channel_author(element) -> tuple[str, str] | None:
    """(login, display name) of a wp:author of the channel, None for any other element."""
    if not _is_wp(element) or element.getparent() is None or element.getparent().tag != "channel":
        return None
    login = text_of(element, "author_login")
    name = plain_text(text_of(element, "author_display_name"))
    if not name or name == login:  # WordPress shows the login until the author picks a display name
        first, last = text_of(element, "author_first_name"), text_of(element, "author_last_name")
        name = plain_text(f"{first} {last}")
    return (login, name or login) if login else None


def _excerpt(item) -> str:
    for element in children(item, "encoded"):
        if "/excerpt/" in element.tag:
            return element.text or ""
    return ""


def _content(item) -> str:
    for element in children(item, "encoded"):
        if "/content/" in element.tag:
            return element.text or ""
    return ""


def _is_uncategorized(category, name: str) -> bool:
    """WordPress's default category, which every post without one gets: a placeholder, not a section."""
    return (category.get("nicename") or slugify(name)) == "uncategorized"


def _figure(match: re.Match) -> str:
    attributes, inner = match.groups()
    media = _CAPTION_MEDIA.match(inner)
    if media is None:
        return inner
    image, caption = media.groups()
    if not caption.strip() and (named := _CAPTION_ATTRIBUTE.search(attributes)):
        caption = html.unescape(named.group(1))
    if caption := caption.strip():
        return f"<figure>{image}<figcaption>{caption}</figcaption></figure>"
    return f"<figure>{image}</figure>"


def body_html(content: str) -> str:
    """A WordPress post body as article HTML (see the module docstring)."""
    content = _BLOCK_COMMENT.sub("", content)
    content = _CAPTION.sub(_figure, content)
    content = _MEDIA_SHORTCODE.sub("", content)
    return sanitize_html(autop(content))


def count(path: Path) -> int:
    """An estimate of the items for the progress bar (WXR: pages and attachments included)."""
    return count_tags(path, (b"<item>", b"<item "))


def read(path: Path) -> Iterator[Record | Failure | Skipped]:
    if _mentions_attachments(path):
        authors, attachments = _first_pass(path)
    else:
        authors, attachments = {}, {}
    terms = {"category": 0, "tag": 0, "term": 0}
    items = 0
    for element in _elements(path):
        if element.tag == "item":
            items += 1
            yield _item(element, authors, attachments)
        elif author := _channel_author(element):
            authors.setdefault(*author)
        else:
            _count_term(element, terms)
    if not items:
        yield _no_items(terms)


def _count_term(element, terms: dict[str, int]) -> None:
    if _is_wp(element) and (name := etree.QName(element).localname) in terms:
        terms[name] += 1


def _no_items(terms: dict[str, int]) -> NoItems:
    if any(terms.values()):
        reason = f"WXR file holds only terms ({terms['category']} categories, {terms['tag']} tags"
        reason += f", {terms['term']} other terms)" if terms["term"] else ")"
        return NoItems(reason)
    return NoItems("WXR channel has no items")


def read_deferred(path: Path) -> Iterator[Deferred | Failure | Skipped]:
    """
    read(), each post deferred (see ingest.importers): pages, attachments and other statuses are told
    apart at once; a post's fingerprint covers its element and the file's author names and attachments.
    """
    if _mentions_attachments(path):
        authors, attachments = _first_pass(path)
    else:
        authors, attachments = {}, {}
    context = None
    terms = {"category": 0, "tag": 0, "term": 0}
    items = 0
    for element in _elements(path):
        if element.tag == "item":
            items += 1
            line = element.sourceline or 0
            if (not_a_post := _not_a_post(element, line)) is not None:
                yield not_a_post
                continue
            if context is None:
                context = _context(authors, attachments)
            build = functools.partial(_post, authors=authors, attachments=attachments)
            yield deferred(element, _external_id(element), build, context=context)
        elif (author := _channel_author(element)) and author[0] not in authors:
            # A new dict, so the posts handed out already are built with the names they were
            # fingerprinted with.
            authors = {**authors, author[0]: author[1]}
            context = None
        elif not _channel_author(element):
            _count_term(element, terms)
    if not items:
        yield _no_items(terms)


def _context(authors: dict[str, str], attachments: dict[str, dict]) -> bytes:
    """What the rest of the file contributes to a post's record, digested for its fingerprint."""
    encoded = json.dumps([authors, attachments], sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).digest()


def _mentions_attachments(path: Path) -> bool:
    return count_tags(path, (b"attachment",)) > 0


def _external_id(item) -> str:
    """guid, else wp:post_id, else link, else a digest of title, date and slug (stable across exports)."""
    if found := text_of(item, "guid") or text_of(item, "post_id") or text_of(item, "link"):
        return found
    parts = [text_of(item, name) for name in ("title", "post_date", "post_name")]
    if not any(parts):
        return ""
    return "wxr:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def _not_a_post(item, line: int) -> Failure | Skipped | None:
    """A Skipped or Failure for an item that is not an importable post, None for a post."""
    post_type = text_of(item, "post_type") or "post"
    if post_type == "revision":
        return Skipped(line, "a revision of another post", "revision")
    if post_type != "post":
        return Skipped(line, f"a WordPress {post_type}, not a post", post_type)
    wp_status = text_of(item, "status").lower()
    if wp_status in SKIPPED_STATUSES:
        return Skipped(line, SKIPPED_STATUSES[wp_status], wp_status)
    if text_of(item, "post_password"):
        return Skipped(
            line, "a password-protected post (only readers with the password may see it)", "password"
        )
    return None


def _item(item, authors: dict[str, str], attachments: dict[str, dict]) -> Record | Failure | Skipped:
    line = item.sourceline or 0
    if (not_a_post := _not_a_post(item, line)) is not None:
        return not_a_post
    return _post(item, line, authors=authors, attachments=attachments)


def _post(item, line: int, *, authors: dict[str, str], attachments: dict[str, dict]) -> Record | Failure:
    """The record of a post (an item _not_a_post let through)."""
    wp_status = text_of(item, "status").lower()
    section, tags, extra_authors = "", [], []
    for category in children(item, "category"):
        name, domain = plain_text(category.text), category.get("domain", "category")
        if domain == "category":
            if _is_uncategorized(category, name):
                continue
            if not section:
                section = name
            elif name.casefold() != section.casefold():  # WXR 1.0 lists each category twice
                tags.append(name)
        elif domain in {"post_tag", "tag"}:  # "tag" in WXR 1.0 (WordPress 2.x)
            tags.append(name)
        elif domain == "author":  # Co-Authors Plus keeps extra authors as terms
            extra_authors.append(authors.get(category.get("nicename", "").removeprefix("cap-"), name))
    logins = [" ".join(element.text.split()) for element in children(item, "creator") if element.text]
    logins = [login for login in logins if login]
    names = unique([authors.get(login, login) for login in logins] + extra_authors)

    published_at = updated_at = None
    try:
        gmt = text_of(item, "post_date_gmt")
        if gmt and gmt != _NO_DATE:
            published_at = parse_datetime(gmt)
        elif wp_status in {"publish", "future"} and (pub_date := text_of(item, "pubDate")):
            published_at = parse_datetime(pub_date)
        modified = text_of(item, "post_modified_gmt")
        if modified and modified != _NO_DATE:
            updated_at = parse_datetime(modified)
    except ValueError as error:
        return Failure(line, str(error))

    lead_image = None
    if thumbnail := _postmeta(item).get("_thumbnail_id"):
        lead_image = attachments.get(thumbnail)

    record = Record(
        external_id=_external_id(item),
        headline=plain_text(text_of(item, "title")),
        line=line,
        body_html=body_html(_content(item)),
        body_sanitized=True,
        dek=plain_text(_excerpt(item)),
        slug=slugify(urllib.parse.unquote(text_of(item, "post_name")), allow_unicode=True),
        section=section,
        authors=[AuthorRef(name) for name in names],
        tags=unique(tags),
        status=STATUSES.get(wp_status, "draft"),
        published_at=published_at,
        updated_at=updated_at,
        canonical_url=text_of(item, "link"),
        lead_image=lead_image,
    )
    if reason := problem(record):
        return Failure(line, reason)
    return record
