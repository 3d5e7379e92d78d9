"""
IPTC NewsML: NewsML-G2 items (a `newsItem`, or a `newsMessage` holding several) and NewsML 1.x
documents (root `NewsML`, the format Reuters and AFP sent for years). One Record per text item. Over 500
lines: two standards and the item shapes of several agencies, each documented in the table below.

NewsML-G2 text item (prefixes vary: default namespace, `nar:`, none; names are matched in any namespace)

    @guid, else an altId (itemMeta or contentMeta;   external_id
      a publicIdentifier one first)
    @version (default 1)                            version: a newer one updates the article
    contentMeta/headline: the main one (no role or  headline
      hld:main, in the item's language), else
      itemMeta/title, else the body's first heading
      (NITF hedline/hl1, XHTML h1-h3)
    description drol:summary / dek / abstract       dek
    slugline                                        slug
    by, else creator/name|@literal, else            authors (a creator with only a qcode is a code,
      contributor (not an editor), else NITF byline   not a name, and is left out)
    dateline, else located/name, else NITF dateline opens the first paragraph
    subject/name (item's language first), keyword   tags (genre is the kind of story, not a topic:
                                                    left out)
    firstCreated, else contentCreated, else         published_at
      versionCreated; versionCreated                updated_at
    contentSet: the fullest text rendition among    body, sanitized
      inlineXML (XHTML or NITF, by contenttype or
      root), inlineData (text/plain, text/html,
      base64)
    the NITF media, else itemMeta/link or           lead_image
      contentMeta/icon of an image type

    Skipped, counted by kind: items of class picture/video/audio/graphic/..., composite items with no
    inline text, packageItem, conceptItem, planningItem, knowledgeItem; pubStatus canceled/withheld;
    a text item whose text is only a remoteContent (it is not fetched). Failure: unknown pubStatus,
    a version that is not a number, no contentMeta, no guid.

NewsML 1.x NewsItem

    NewsIdentifier ProviderId:DateId:NewsItemId     external_id (urn:newsml:..., the revision left out,
      (else PublicIdentifier, else @Duid)             so that revisions update one article)
    RevisionId                                      version
    NewsLines: HeadLine (else the body's heading,   headline; dek; authors; dateline; slug; tags
      else NameLabel); SubHeadLine; ByLine; DateLine;
      SlugLine; KeywordLine
    DescriptiveMetadata: TopicOccurrence of a Topic tags
      in the item, Property Keyword
    NewsManagement: FirstCreated, ThisRevisionCreated published_at, updated_at
    NewsManagement/Status Canceled/Withheld/Embargoed skipped
    the fullest ContentItem of MediaType Text with  body (NITF, XHTML or plain text)
      DataContent, not a caption
    the first Photo ContentItem with an http Href   lead_image

    A NewsItem without text (photos, video, graphics) or holding only other NewsItems (a package)
    is skipped, and so is every other non-text component of a text item; a text ContentItem that
    only points elsewhere (Href) is not fetched.

A file whose root holds no item at all yields NoItems with the reason.
"""

from __future__ import annotations

import base64
import binascii
import copy
import html
import re
from collections.abc import Iterator
from pathlib import Path

from django.utils.text import slugify

from articles.sanitize import sanitize_html
from ingest.importers import AuthorRef, Deferred, Failure, NoItems, Record, Skipped, nitf
from ingest.importers.markup import (
    inner_xml,
    local_name,
    prepend_dateline,
    text_to_sanitized_html,
    xml_text,
)
from ingest.importers.safexml import (
    child,
    children,
    count_tags,
    deferred,
    head_text,
    iter_elements,
    root_name,
    text_of,
)
from ingest.importers.values import parse_datetime, plain_text, problem, split_names, unique

EXTENSIONS = (".xml", ".nml", ".newsml")
EMBEDS = ("nitf",)  # NewsML 1 DataContent and G2 inlineXML carry NITF: the file is still ours
G2 = "http://iptc.org/std/nar/2006-10-01/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

G2_ROOTS = {"newsItem", "newsMessage", "packageItem", "conceptItem", "planningItem", "knowledgeItem"}
# G2 items that are never a text article, and the kind they are counted under
_OTHER_G2_ITEMS = {
    "packageItem": ("package", "a packageItem (it only refers to other items)"),
    "conceptItem": ("concept", "a conceptItem (a controlled-vocabulary concept, not a story)"),
    "planningItem": ("planning", "a planningItem (coverage planning, not a story)"),
    "knowledgeItem": ("knowledge", "a knowledgeItem (a set of concepts, not a story)"),
}
_ITEMS = ("{*}newsItem", *(f"{{*}}{name}" for name in _OTHER_G2_ITEMS), "{*}NewsItem")
_ROOTS = ("{*}newsMessage", "{*}NewsML")
_MAIN_HEADLINE_ROLES = {"", "main", "headline", "hl1"}
_DEK_ROLES = ["summary", "dek", "abstract", "lead", "teaser"]  # in order of preference
_EDITOR_ROLES = {"editor", "copyeditor", "translator", "photographer", "producer"}
_LOOKS_LIKE_HTML = re.compile(r"\s*<(p|div|h[1-6]|br|ul|ol|table|section)\b", re.IGNORECASE)
_BY = re.compile(r"^\s*(por|par|von)\s+", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_NOT_PUBLISHED = {"canceled", "cancelled", "withheld", "embargoed"}


def sniff(head: bytes) -> bool:
    text = head_text(head)
    name = root_name(text)
    # the G2 root names are NewsML's alone; some exports drop the namespace declaration
    return name in G2_ROOTS or name == "NewsML"


def count(path: Path) -> int:
    """An estimate of the items, for the progress bar."""
    return count_tags(path, (b"<newsItem ", b"<newsItem>", b":newsItem ", b"<NewsItem ", b"<NewsItem>"))


def read(path: Path) -> Iterator[Record | Failure | Skipped | NoItems]:
    for element, line, extra, verdict in _items(path):
        yield from extra
        if verdict is not None:
            yield verdict
        elif element is not None:
            yield _build(element, line)


def read_deferred(path: Path) -> Iterator[Deferred | Failure | Skipped | NoItems]:
    """
    read(), each text item deferred (see ingest.importers): what is not a text item (other classes,
    canceled items, bad versions, a NewsML 1 item's other components) is told apart at once; an item's
    record depends on its element only.
    """
    for element, _line, extra, verdict in _items(path):
        yield from extra
        if verdict is not None:
            yield verdict
        elif element is not None:
            yield deferred(element, _external_id(element), _build)


def record_from(item, line: int | None = None) -> Record | Failure | Skipped:
    """The outcome for one newsItem (G2) or NewsItem (1.x) element (a NewsML 1 item's skipped parts aside)."""
    line = (item.sourceline or 0) if line is None else line
    _parts, verdict = _classify(item, line)
    return verdict if verdict is not None else _build(item, line)


def _items(path: Path):
    """(element, line, [Skipped of its parts], verdict or None for a text item to build), and at the
    end (None, 0, [], NoItems) when the root held no item."""
    seen = 0
    for element in iter_elements(path, (*_ITEMS, *_ROOTS)):
        name = local_name(element.tag)
        line = element.sourceline or 0
        if name == "newsMessage":
            if not seen:
                yield None, 0, [], NoItems("the newsMessage holds no items")
            continue
        if name == "NewsML":
            if not seen:
                yield None, 0, [], NoItems("the NewsML document holds no NewsItem")
            continue
        seen += 1
        extra, verdict = _classify(element, line)
        yield element, line, extra, verdict


def _classify(item, line: int) -> tuple[list[Skipped], Failure | Skipped | None]:
    name = local_name(item.tag)
    if name == "NewsItem":
        return _v1_classify(item, line)
    if name in _OTHER_G2_ITEMS:
        kind, reason = _OTHER_G2_ITEMS[name]
        return [], Skipped(line, reason, kind)
    return [], _g2_not_a_text_item(item, line)


def _build(item, line: int) -> Record | Failure:
    if local_name(item.tag) == "NewsItem":
        return _v1_record(item, line)
    return _g2_record(item, line)


def _external_id(item) -> str:
    if local_name(item.tag) == "NewsItem":
        return _v1_external_id(item)
    return _g2_guid(item)


# --- shared ------------------------------------------------------------------------------------------


def _code(element, attribute: str = "qcode") -> str:
    """The code of a qcode (`ninat:text` -> `text`) or of a uri (`.../ninature/text` -> `text`)."""
    if element is None:
        return ""
    value = element.get(attribute) or element.get("uri") or element.get("FormalName") or ""
    return value.strip().rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()


def _lang(element) -> str:
    while element is not None:
        if value := element.get(XML_LANG):
            return value.lower().split("-")[0]
        element = element.getparent()
    return ""


def _pick_by_lang(elements, lang: str):
    """The first element in `lang` (or without a language), else the first."""
    for element in elements:
        own = (element.get(XML_LANG) or "").lower().split("-")[0]
        if not own or not lang or own == lang:
            return element
    return elements[0] if elements else None


class _Body:
    """A text rendition: its HTML, lead image and, from NITF's body.head, its own headline/byline/dateline."""

    def __init__(self, html="", image=None, headline="", names=(), dateline="", with_heading=""):
        self.html, self.image, self.headline = html, image, headline
        self.names, self.dateline = list(names), dateline
        # the HTML with its leading heading left in, for an item whose headline is another text
        self.with_heading = with_heading or html

    def html_under(self, headline: str) -> str:
        """The body under `headline`: without its leading heading only if that heading is the headline."""
        if " ".join(self.headline.split()).casefold() == " ".join(headline.split()).casefold():
            return self.html
        return self.with_heading


def _nitf_body(element) -> _Body:
    """A `nitf` element, or any element holding a body.content."""
    content = next(element.iter("{*}body.content"), None)
    head = next(element.iter("{*}body.head"), None)
    hedline = child(head, "hedline") if head is not None else None
    return _Body(
        nitf.body_html(content),
        nitf.lead_image(content),
        headline=(xml_text(child(hedline, "hl1")) if hedline is not None else "")
        or xml_text(next(element.iter("{*}title"), None)),
        names=nitf.byline_names(child(head, "byline")) if head is not None else [],
        dateline=nitf.dateline_text(child(head, "dateline")) if head is not None else "",
    )


def _xhtml_body(element) -> _Body:
    """
    An XHTML document or fragment: its body. A leading h1-h3, or the h1 of a leading `header` (dpa
    puts its slugline lists, genre and h1 there), is the body's own headline, taken out of the body
    when it is the story's headline (html_under). A leading header always goes: it is metadata. The
    document's head/title is the last headline fallback.
    """
    body = next(element.iter("{*}body"), None)
    title = xml_text(next(element.iter("{*}title"), None)) if body is not None else ""
    body = copy.deepcopy(body if body is not None else element)
    headline, with_heading = "", ""
    first = next((e for e in body if local_name(e.tag)), None)
    if first is not None and local_name(first.tag) in {"h1", "h2", "h3", "header"}:
        if local_name(first.tag) == "header":
            headline = xml_text(next(first.iter("{*}h1"), None))
        else:
            headline = xml_text(first)
            with_heading = sanitize_html(inner_xml(body))
        tail = first.tail or ""
        body.remove(first)
        body.text = (body.text or "") + tail
    html_text = sanitize_html(inner_xml(body))
    if headline:
        return _Body(html_text, headline=headline, with_heading=with_heading)
    return _Body(html_text, headline=title)


def _text_body(text: str, contenttype: str) -> _Body:
    # ANSA sends HTML paragraphs as inlineData contenttype="text/plain"
    if "html" in contenttype or _LOOKS_LIKE_HTML.match(text):
        return _Body(sanitize_html(text))
    return _Body(text_to_sanitized_html(text))


def _markup_body(element, contenttype: str) -> _Body:
    """An inline XML rendition, by its contenttype or else by what it holds."""
    contenttype = contenttype.lower()
    if "nitf" in contenttype or next(element.iter("{*}body.content"), None) is not None:
        return _nitf_body(element)
    return _xhtml_body(element)


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _with_dateline(body_html: str, dateline: str) -> str:
    """prepend_dateline, unless the body already opens with it (AP: "FORT WASHINGTON, Pa. (AP) _ ...")."""
    if not body_html:  # a dateline alone is not a story
        return ""
    opening = " ".join(html.unescape(_TAG.sub(" ", body_html[: len(dateline) * 4 + 200])).split())
    # ANSA opens with "(ANSA) - ROMA, 18 SET - ", so near the start, not only at it
    if dateline and " ".join(dateline.split()).casefold() in opening[: len(dateline) + 20].casefold():
        return body_html
    return prepend_dateline(body_html, dateline)


def _byline_names(byline: str) -> list[str]:
    """split_names, after the agency languages' "By": Por (EFE), Par (AFP), Von (dpa)."""
    return split_names(_BY.sub("", byline))


def _fullest(bodies: list[_Body]) -> _Body | None:
    """The rendition with the most text (a wire item may carry a short and a full one)."""
    bodies = [body for body in bodies if body.html or body.headline]
    return max(bodies, key=lambda body: len(body.html)) if bodies else None


def _dates(pairs, line: int) -> dict | Failure:
    try:
        return {name: parse_datetime(value) for name, value in pairs if value}
    except ValueError as error:
        return Failure(line, str(error))


# --- NewsML-G2 ---------------------------------------------------------------------------------------


def _g2_guid(item) -> str:
    if guid := item.get("guid", "").strip():
        return guid
    scopes = [scope for scope in (child(item, "itemMeta"), child(item, "contentMeta")) if scope is not None]
    alt_ids = [alt for scope in scopes for alt in children(scope, "altId") if (alt.text or "").strip()]
    alt_ids.sort(key=lambda alt: "public" not in alt.get("type", "").lower())
    return alt_ids[0].text.strip() if alt_ids else ""


def _g2_renditions(content_set) -> tuple[list[_Body], list[str]]:
    """The inline text renditions of a contentSet, and the hrefs of its remote text renditions."""
    bodies, remote = [], []
    if content_set is None:
        return bodies, remote
    for element in content_set:
        name, contenttype = local_name(element.tag), element.get("contenttype", "").lower()
        if name == "inlineXML":
            bodies.append(_markup_body(element, contenttype))
        elif name == "inlineData":
            text = element.text or ""
            if element.get("encoding", "").lower() == "base64":
                try:
                    text = base64.b64decode(text).decode("utf-8", errors="replace")
                except (binascii.Error, ValueError):
                    text = ""
            bodies.append(_text_body(text, contenttype))
        elif name == "remoteContent" and _is_text_type(contenttype):
            remote.append(element.get("href", "") or element.get("residref", "") or "?")
    return bodies, remote


def _g2_inline_text(content_set) -> tuple[bool, list[str]]:
    """Whether a contentSet has an inline rendition with text, and its remote text renditions: cheaply,
    without building the bodies (the record does that)."""
    has_text, remote = False, []
    if content_set is None:
        return has_text, remote
    for element in content_set:
        name, contenttype = local_name(element.tag), element.get("contenttype", "").lower()
        if name in {"inlineXML", "inlineData"}:
            has_text = has_text or bool("".join(element.itertext()).strip())
        elif name == "remoteContent" and _is_text_type(contenttype):
            remote.append(element.get("href", "") or element.get("residref", "") or "?")
    return has_text, remote


def _is_text_type(contenttype: str) -> bool:
    return not contenttype or contenttype.startswith("text/") or "xml" in contenttype


def _g2_not_a_text_item(item, line: int) -> Failure | Skipped | None:
    """A Skipped or Failure for a newsItem that is not an importable text item, None for one that is."""
    item_meta = child(item, "itemMeta")
    item_class = _code(child(item_meta, "itemClass")) if item_meta is not None else ""
    has_text, remote = _g2_inline_text(child(item, "contentSet"))
    if item_class == "composite" and not has_text:
        return Skipped(line, "a composite item with no inline text rendition", "composite")
    if item_class and item_class not in {"text", "composite"}:
        return Skipped(line, f"{_a(item_class)} item, not text", item_class)
    status = _code(child(item_meta, "pubStatus")) if item_meta is not None else ""
    if status in _NOT_PUBLISHED:
        return Skipped(line, f"pubStatus {status}", status)
    if status not in {"", "usable"}:
        return Failure(line, f"unknown pubStatus {status!r}")
    version = item.get("version", "1").strip()
    if not (version.isascii() and version.isdigit()):
        return Failure(line, f"version {version!r} is not a number")
    if child(item, "contentMeta") is None:
        return Failure(line, "no contentMeta (the item has no headline or other metadata)")
    if not _g2_guid(item):
        return Failure(line, "no guid attribute and no altId: the item cannot be identified")
    if remote and not has_text:
        return Skipped(
            line, f"text only in remoteContent {remote[0]} (not fetched; no inline rendition)", "remote"
        )
    return None


def _g2_headline(item_meta, content_meta, lang: str) -> str:
    headlines = [h for h in children(content_meta, "headline") if xml_text(h)]
    main = [h for h in headlines if _code(h, "role") in _MAIN_HEADLINE_ROLES]
    chosen = _pick_by_lang(main or headlines, lang)
    if chosen is not None:
        return xml_text(chosen)
    return text_of(item_meta, "title") if item_meta is not None else ""


def _g2_dek(content_meta) -> str:
    descriptions = [d for d in children(content_meta, "description") if xml_text(d)]
    for wanted in _DEK_ROLES:
        for description in descriptions:
            if _code(description, "role") == wanted:
                return xml_text(description)
    unlabelled = [d for d in descriptions if not d.get("role")]
    return xml_text(unlabelled[0]) if unlabelled else ""


def _g2_names(content_meta) -> list[str]:
    if by := xml_text(child(content_meta, "by")):
        return _byline_names(by)

    def name_of(element):
        return text_of(element, "name") or element.get("literal", "").strip()

    names = [name_of(c) for c in children(content_meta, "creator")]
    if not any(names):
        names = [
            name_of(c) for c in children(content_meta, "contributor") if _code(c, "role") not in _EDITOR_ROLES
        ]
    return [name for name in names if name]


def _g2_record(item, line: int) -> Record | Failure:
    """The record of a text item (an item _g2_not_a_text_item let through)."""
    item_meta, content_meta = child(item, "itemMeta"), child(item, "contentMeta")
    lang = _lang(content_meta) or _lang(item)
    bodies, _remote = _g2_renditions(child(item, "contentSet"))
    body = _fullest(bodies) or _Body()
    headline = _g2_headline(item_meta, content_meta, lang) or body.headline

    tags = []
    for subject in children(content_meta, "subject"):
        name = _pick_by_lang(children(subject, "name"), lang)
        tags.append(xml_text(name))
    tags += [xml_text(keyword) for keyword in children(content_meta, "keyword")]
    dateline = xml_text(child(content_meta, "dateline"))
    if not dateline and (located := child(content_meta, "located")) is not None:
        dateline = text_of(located, "name")
    dates = _dates(
        [
            ("firstCreated", text_of(item_meta, "firstCreated") if item_meta is not None else ""),
            ("versionCreated", text_of(item_meta, "versionCreated") if item_meta is not None else ""),
            ("contentCreated", text_of(content_meta, "contentCreated")),
        ],
        line,
    )
    if isinstance(dates, Failure):
        return dates

    record = Record(
        external_id=_g2_guid(item),
        headline=plain_text(headline),
        line=line,
        body_html=_with_dateline(body.html_under(headline), dateline or body.dateline),
        dek=plain_text(_g2_dek(content_meta)),
        slug=slugify(text_of(content_meta, "slugline"), allow_unicode=True),
        authors=[AuthorRef(name) for name in unique(_g2_names(content_meta) or body.names)],
        tags=unique(tags),
        published_at=dates.get("firstCreated") or dates.get("contentCreated") or dates.get("versionCreated"),
        updated_at=dates.get("versionCreated"),
        lead_image=body.image or _image_link(item_meta, content_meta),
        version=item.get("version", "1").strip(),
    )
    if reason := problem(record):
        return Failure(line, reason)
    return record


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


# --- NewsML 1.x --------------------------------------------------------------------------------------


def _v1_identifier(item):
    identification = child(item, "Identification")
    return child(identification, "NewsIdentifier") if identification is not None else None


def _v1_external_id(item) -> str:
    identifier = _v1_identifier(item)
    if identifier is not None:
        parts = [text_of(identifier, name) for name in ("ProviderId", "DateId", "NewsItemId")]
        if all(parts):
            return "urn:newsml:" + ":".join(parts)
        if public := text_of(identifier, "PublicIdentifier"):
            # urn:newsml:Provider:Date:ItemId:Revision(Update): the revision changes, the item does not
            return public.rsplit(":", 1)[0] if public.count(":") >= 5 else public
    return item.get("Duid", "").strip()


def _own(element, name: str):
    """Descendants `name` of a NewsItem's components, not those of NewsItems nested in them."""
    found = []
    for sub in element:
        sub_name = local_name(sub.tag)
        if sub_name == "NewsItem":
            continue
        if sub_name == name:
            found.append(sub)
        found += _own(sub, name)
    return found


def _media_type(content_item) -> str:
    return _code(child(content_item, "MediaType"), "FormalName") or "unknown"


def _is_caption(content_item) -> bool:
    component = content_item.getparent()
    role = child(component, "Role") if component is not None else None
    return _code(role, "FormalName") in {"caption", "captionandcredit", "description"}


def _v1_texts(item):
    """(inline text ContentItems, remote text ContentItems, other ContentItems) of a NewsItem."""
    inline, remote, other = [], [], []
    for content_item in _own(item, "ContentItem"):
        if _media_type(content_item) != "text" or _is_caption(content_item):
            other.append(content_item)
        elif child(content_item, "DataContent") is not None:
            inline.append(content_item)
        else:
            remote.append(content_item)
    return inline, remote, other


def _v1_image(content_item) -> dict | None:
    href = content_item.get("Href", "").strip()
    if _media_type(content_item) != "photo" or "://" not in href:
        return None
    component = content_item.getparent()
    caption = ""
    if component is not None:
        caption = xml_text(next(component.iter("{*}HeadLine"), None))
        for sibling in component.iter("{*}ContentItem"):
            if sibling is not content_item and _is_caption(sibling):
                caption = xml_text(child(sibling, "DataContent")) or caption
    return {"url": href, "alt": plain_text(caption), "caption": plain_text(caption), "credit": ""}


def _v1_classify(item, line: int) -> tuple[list[Skipped], Failure | Skipped | None]:
    inline, remote, other = _v1_texts(item)
    item_id = _v1_external_id(item) or f"line {line}"
    if not inline and not remote:
        if any(local_name(e.tag) in {"NewsItem", "NewsItemRef"} for e in item.iter() if e is not item):
            return [], Skipped(
                line, "a NewsML 1 NewsItem holding only other NewsItems (a package)", "package"
            )
        if child(item, "Update") is not None:
            return [], Skipped(line, "a NewsML 1 Update (a partial change) is not supported", "update")
        if not other:
            return [], Skipped(line, "a NewsML 1 NewsItem with no ContentItem", "empty")
        kinds = sorted({_media_type(c) for c in other} - {"text"}) or ["caption"]
        return [], Skipped(line, f"a NewsML 1 {'/'.join(kinds)} item, not text", kinds[0])
    management = child(item, "NewsManagement")
    status = _code(child(management, "Status"), "FormalName") if management is not None else ""
    if status in _NOT_PUBLISHED:
        return [], Skipped(line, f"NewsML 1 Status {status}", status)
    if not inline:
        href = remote[0].get("Href", "") or "?"
        return [], Skipped(line, f"text only at Href {href} (not fetched; no DataContent)", "remote")
    identifier = _v1_identifier(item)
    revision = text_of(identifier, "RevisionId") if identifier is not None else ""
    if revision and not (revision.isascii() and revision.isdigit()):
        return [], Failure(line, f"RevisionId {revision!r} is not a number")
    image_used = next((c for c in other if _v1_image(c) is not None), None)
    extra = [
        Skipped(
            c.sourceline or line,
            f"a {_media_type(c)} component of {item_id}, not imported",
            f"{_media_type(c)}-component",
        )
        for c in other
        if c is not image_used and not _is_caption(c)
    ]
    return extra, None


def _v1_body(content_item) -> _Body:
    """A DataContent: a nitf document, an XHTML one, bare paragraphs (AFP's bcNITF) or plain text."""
    data = child(content_item, "DataContent")
    mime = _code(child(content_item, "MimeType"), "FormalName")
    markup = next((e for e in data if local_name(e.tag)), None)
    if markup is None:
        return _text_body(data.text or "", mime)
    if local_name(markup.tag) == "nitf" or next(data.iter("{*}body.content"), None) is not None:
        return _nitf_body(markup)
    return _xhtml_body(markup if local_name(markup.tag) == "html" else data)


def _v1_record(item, line: int) -> Record | Failure:
    inline, _remote, other = _v1_texts(item)
    bodies = {id(c): _v1_body(c) for c in inline}
    main_item = max(inline, key=lambda c: len(bodies[id(c)].html))
    body = bodies[id(main_item)]
    # the NewsLines of the component nearest the text, else of any component of the item
    lines = None
    component = main_item.getparent()
    while component is not None and component is not item and lines is None:
        lines = child(component, "NewsLines")
        component = component.getparent()
    lines = lines if lines is not None else next(iter(_own(item, "NewsLines")), None)

    def line_text(name):
        return xml_text(child(lines, name)) if lines is not None else ""

    identification = child(item, "Identification")
    headline = line_text("HeadLine") or body.headline
    if not headline and identification is not None:
        headline = text_of(identification, "NameLabel")

    tags = [
        t.strip()
        for keywords in (children(lines, "KeywordLine") if lines is not None else [])
        for t in xml_text(keywords).split(",")
    ]
    topics = {topic.get("Duid"): topic for topic in item.iter("{*}Topic") if topic.get("Duid")}
    for occurrence in _own(item, "TopicOccurrence"):
        topic = topics.get(occurrence.get("Topic", "").lstrip("#"))
        if topic is not None:
            tags.append(text_of(topic, "Description") or _formal_name(topic))
    for prop in _own(item, "Property"):
        if prop.get("FormalName", "").lower() in {"keyword", "keywords"}:
            tags += [t.strip() for t in prop.get("Value", "").split(",")]

    management = child(item, "NewsManagement")
    dates = _dates(
        [
            (name, text_of(management, name) if management is not None else "")
            for name in ("FirstCreated", "ThisRevisionCreated")
        ],
        line,
    )
    if isinstance(dates, Failure):
        return dates
    identifier = _v1_identifier(item)
    image = body.image or next((i for c in other if (i := _v1_image(c)) is not None), None)
    record = Record(
        external_id=_v1_external_id(item),
        headline=plain_text(headline),
        line=line,
        body_html=_with_dateline(body.html_under(headline), line_text("DateLine") or body.dateline),
        dek=plain_text(line_text("SubHeadLine")),
        slug=slugify(line_text("SlugLine").strip("/ "), allow_unicode=True),
        authors=[AuthorRef(name) for name in unique(_byline_names(line_text("ByLine")) or body.names)],
        tags=unique(t for t in tags if t),
        published_at=dates.get("FirstCreated") or dates.get("ThisRevisionCreated"),
        updated_at=dates.get("ThisRevisionCreated"),
        lead_image=image,
        version=(text_of(identifier, "RevisionId") if identifier is not None else "") or "1",
    )
    if reason := problem(record):
        return Failure(line, reason)
    return record


def _formal_name(topic) -> str:
    formal = child(topic, "FormalName")
    return (formal.text or "").strip() if formal is not None else ""
