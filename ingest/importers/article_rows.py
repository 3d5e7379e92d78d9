"""
The article rows a batch writes, made as ``Article.save()`` would make them (bulk writes bypass it):
bodies through ``sanitize_html``, slugs unique (``newsroom.slugs``), the import checksum and fingerprint
recorded, the lead image attached.

Lead images (``Record.lead_image``) are handled only for the records written (``ingest.importers.images``):
a local file beside the import file is ingested like an upload, a remote URL recorded (fetched with
``fetch``); one that cannot be attached is reported, the article is still written. An image already
attached from the same path or URL is kept, never processed again. The files stored are listed in
``stored`` so that the caller can delete them if the batch does not commit.
"""

from __future__ import annotations

from articles.models import Article, Status
from articles.sanitize import sanitize_html
from ingest.importers import Record
from ingest.importers import images as lead_images
from ingest.importers.fingerprints import stored_fingerprint
from ingest.importers.validation import LEAD_IMAGE_SOURCE_MAX, SLUG_MAX, Item
from newsroom.slugs import slug_base, unique_slug

UPDATE_FIELDS = [
    "headline", "dek", "body", "section", "status", "published_at", "publish_at", "updated_at",
    "canonical_url", "import_checksum", "version", "imported_version", "modified_at", "source_version",
    "lead_image", "lead_image_source", "import_fingerprint",
]  # fmt: skip


def build_article(item: Item, sections: dict[str, int], now, *, published_at) -> Article:
    """The Article `item` makes (UPDATE_FIELDS and its identity); its slug and version are the caller's."""
    record = item.record
    if item.status == Status.PUBLISHED:
        published_at = record.published_at or published_at or now
    else:
        published_at = record.published_at
    return Article(
        headline=item.headline,
        slug=record.slug,
        dek=record.dek.strip(),
        body=item.body if item.body is not None else sanitized_body(record),
        section_id=sections.get(record.section.strip().casefold()),
        status=item.status,
        published_at=published_at,
        publish_at=record.published_at if item.status == Status.SCHEDULED else None,
        updated_at=record.updated_at,
        source=item.source,
        external_id=record.external_id,
        canonical_url=record.canonical_url,
        import_checksum=item.checksum,
        import_fingerprint=stored_fingerprint(item),
        modified_at=now,
        source_version=item.source_version,
    )


def sanitized_body(record: Record) -> str:
    return record.body_html if record.body_sanitized else sanitize_html(record.body_html)


def assign_slugs(articles: list[Article]) -> None:
    """Give each new article a unique slug, from its record's slug or its headline."""
    bases = [slug_base(a.slug or a.headline, max_length=SLUG_MAX, fallback="article") for a in articles]
    taken = set(Article.objects.filter(slug__in=set(bases)).values_list("slug", flat=True))
    used: set[str] = set()
    for article, base in zip(articles, bases, strict=True):
        if base in taken or base in used:
            base = unique_slug(Article, base, max_length=SLUG_MAX, fallback="article", also_taken=used)
        article.slug = base
        used.add(base)


def image_due(item: Item, row: dict, *, fetch: bool) -> bool:
    """
    An unchanged record whose lead image is not attached yet but could be now: a remote URL with
    --fetch-images, or a local file that exists (fixed since the last run). Such a record is updated.
    """
    entry = item.record.lead_image
    if not entry or row["lead_image_id"] is not None:
        return False
    if lead_images.is_remote(entry):
        return fetch
    try:
        return lead_images.local_file(entry, item.path).is_file()
    except lead_images.ImageProblem:
        return False


def set_lead_image(article: Article, item: Item, row: dict | None, stored: list, *, fetch: bool) -> str:
    """
    Set `article`'s lead image from the record: the image already attached from the same source is
    kept (never processed twice); otherwise a new one is ingested. Returns why one could not be
    attached (``lead image SOURCE: reason``, for the caller to report; the article keeps what it had),
    or "".
    """
    if row is not None:
        article.lead_image_id, article.lead_image_source = row["lead_image_id"], row["lead_image_source"]
    entry = item.record.lead_image
    if not entry:
        return ""
    source = lead_images.source(entry)
    if row is not None and row["lead_image_id"] is not None and row["lead_image_source"] == source:
        return ""
    try:
        if len(source) > LEAD_IMAGE_SOURCE_MAX:
            raise lead_images.ImageProblem(f"the name is over {LEAD_IMAGE_SOURCE_MAX} characters long")
        image = lead_images.attach(entry, item.path, headline=item.headline, fetch=fetch)
    except lead_images.ImageProblem as error:
        return f"lead image {source[:200]}: {error}"
    if image is None:  # a remote URL, recorded for --fetch-images or an editor
        if article.lead_image_id is None:
            article.lead_image_source = source
        return ""
    stored.append((image.file.storage, [image.file.name, *(r.file.name for r in image.renditions.all())]))
    article.lead_image_id, article.lead_image_source = image.pk, source
    return ""
