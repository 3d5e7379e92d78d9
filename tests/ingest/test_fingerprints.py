"""
Re-imports of the XML formats (wxr, rss, nitf, newsml) by fingerprint: an item whose fingerprint is the one
stored by the last import is unchanged without its record being built, and anything that could change its
record or its outcome (the item, its file's context, --status, --source, an editor's edit, a lead image
now attachable, a write from another format) still updates, creates or keeps local edits as before.
"""

import pytest
from django.db.models import F

from articles.models import Article, Revision
from images.models import Image
from ingest.importers import Deferred, Failure, Record, format_module
from ingest.importers.save import CREATED, UNCHANGED, Importer
from tests.images.conftest import gps_jpeg
from tests.ingest.import_helpers import FIXTURES, import_articles, write
from tests.ingest.test_images import PhotoServer

pytestmark = pytest.mark.django_db

PHOTO = gps_jpeg((800, 600))

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Wire</title>
<item><title>{one}</title><guid>rss-1</guid><dc:creator>Ana Berg</dc:creator><category>Harbour</category>
  <description>Ships are back.</description>{image}</item>
<item><title>{two}</title><guid>rss-2</guid><description>Ferries too.</description></item>
</channel></rss>
"""
RSS_IMAGE = (
    '<media:content url="photos/harbour.jpg" medium="image"><media:title>Boats</media:title></media:content>'
)

ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>
<entry><id>urn:atom:1</id><title>{one}</title><link href="https://wire.example/1"/>
  <author><name>Ana Berg</name></author>
  <content type="html">&lt;p&gt;Ships are back.&lt;/p&gt;</content></entry>
<entry><id>urn:atom:2</id><title>{two}</title><link href="https://wire.example/2"/>
  <content type="text">Ferries too.</content></entry>
</feed>
"""

NITF = """<?xml version="1.0" encoding="UTF-8"?>
<wire>
<nitf><head><docdata><doc-id id-string="nitf-1"/><du-key version="1"/></docdata></head>
<body><body.head><hedline><hl1>{one}</hl1></hedline><byline>By Ana Berg</byline></body.head>
<body.content><p>Ships are back.</p>{image}</body.content></body></nitf>
<nitf><head><docdata><doc-id id-string="nitf-2"/></docdata></head>
<body><body.head><hedline><hl1>{two}</hl1></hedline></body.head>
<body.content><p>Ferries too.</p></body.content></body></nitf>
</wire>
"""
NITF_IMAGE = (
    '<media media-type="image"><media-reference source="photos/harbour.jpg" alternate-text="Boats"/></media>'
)

NEWSML = """<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>
<newsItem guid="urn:newsml:wire.example:1" version="{version}">
  <itemMeta><itemClass qcode="ninat:text"/><pubStatus qcode="stat:usable"/>
    <firstCreated>2024-04-03T06:00:00Z</firstCreated></itemMeta>
  <contentMeta><by>Ana Berg</by><headline>{one}</headline></contentMeta>
  <contentSet><inlineXML contenttype="application/nitf+xml"><nitf><body><body.content>
    <p>Ships are back.</p>{image}
  </body.content></body></nitf></inlineXML></contentSet>
</newsItem>
<newsItem guid="urn:newsml:wire.example:2" version="1">
  <itemMeta><itemClass qcode="ninat:text"/></itemMeta>
  <contentMeta><headline>{two}</headline></contentMeta>
  <contentSet><inlineData>Ferries too.</inlineData></contentSet>
</newsItem>
<newsItem guid="urn:newsml:wire.example:3" version="1">
  <itemMeta><itemClass qcode="ninat:picture"/></itemMeta>
  <contentMeta><headline>A photo</headline></contentMeta>
</newsItem>
</itemSet></newsMessage>
"""

WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Courier</title><wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_login>ana</wp:author_login><wp:author_display_name>{author}</wp:author_display_name></wp:author>
<item><title>{one}</title><guid isPermaLink="false">https://c.example/?p=1</guid><dc:creator>ana</dc:creator>
  <content:encoded><![CDATA[Ships are back.

Boats everywhere.]]></content:encoded>
  <wp:post_id>1</wp:post_id><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
  <wp:post_date_gmt>2024-03-04 09:15:00</wp:post_date_gmt>{image}
</item>
<item><title>{two}</title><guid isPermaLink="false">https://c.example/?p=2</guid>
  <content:encoded><![CDATA[Ferries too.]]></content:encoded>
  <wp:post_id>2</wp:post_id><wp:status>draft</wp:status><wp:post_type>post</wp:post_type>
</item>
<item><title>Harbour photo</title><guid isPermaLink="false">photos/harbour.jpg</guid>
  <wp:post_id>9</wp:post_id><wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>
  <wp:attachment_url>photos/harbour.jpg</wp:attachment_url>
  <wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value>{alt}</wp:meta_value></wp:postmeta>
</item>
</channel></rss>
"""
WXR_IMAGE = (
    "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>9</wp:meta_value></wp:postmeta>"
)

# format, template, its lead image markup for the first item, what the summary adds for skipped items
FORMATS = {
    "rss": ("rss", RSS, RSS_IMAGE, ""),
    "atom": ("rss", ATOM, "", ""),
    "nitf": ("nitf", NITF, NITF_IMAGE, ""),
    "newsml": ("newsml", NEWSML, NITF_IMAGE, ", skipped newsml picture 1"),
    "wxr": ("wxr", WXR, WXR_IMAGE, ", skipped wxr attachment 1"),
}
ONE, TWO = "Harbour reopens", "Ferries return"


def document(kind, *, one=ONE, two=TWO, image=False, author="Ana Berg", alt="Boats", version="1"):
    _, template, image_markup, _ = FORMATS[kind]
    return template.format(
        one=one, two=two, image=image_markup if image else "", author=author, alt=alt, version=version
    )


def counts(kind, created=0, updated=0, unchanged=0, failed=0, extra=""):
    return (
        f"created {created}, updated {updated}, unchanged {unchanged}, failed {failed}{extra}"
        + FORMATS[kind][3]
    )


def run(kind, path, **options):
    return import_articles(path, format=FORMATS[kind][0], **options)


def headlines():
    return sorted(Article.objects.values_list("headline", flat=True))


def first_item():
    return Article.objects.order_by("external_id").first()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_URL = "/media/"


@pytest.fixture(params=list(FORMATS))
def kind(request):
    return request.param


# --- read_deferred gives what read gives ---------------------------------------------------------------


XML_FIXTURES = [
    ("wxr", "wxr/export.xml"),
    ("rss", "rss/feed.xml"),
    ("rss", "rss/atom.xml"),
    ("rss", "rss/latin1.xml"),
    ("nitf", "nitf/story.xml"),
    ("nitf", "nitf/windows1252.xml"),
    ("newsml", "newsml/message.xml"),
    ("newsml", "newsml/ferry_v1.xml"),
    ("newsml", "newsml/ferry_v2.xml"),
]


@pytest.mark.parametrize("name, fixture", XML_FIXTURES)
def test_read_deferred_builds_exactly_what_read_reads(name, fixture):
    module = format_module(name)
    path = FIXTURES / fixture

    read = list(module.read(path))
    deferred = list(module.read_deferred(path))

    assert [item.build() if isinstance(item, Deferred) else item for item in deferred] == read
    for item, expected in zip(deferred, read, strict=True):
        if isinstance(item, Deferred) and isinstance(expected, Record):
            assert (item.external_id, item.line) == (expected.external_id, expected.line)
        if isinstance(item, Deferred):
            assert item.build() == item.build()  # builds again, the same, whenever asked


@pytest.mark.parametrize("name, fixture", XML_FIXTURES)
def test_read_deferred_builds_the_same_as_the_item_is_read_and_later(name, fixture):
    # built at once (as the importer does an item it expects to be new) from the element still parsed;
    # later from its bytes, the element cleared since
    module = format_module(name)
    path = FIXTURES / fixture
    at_once, items = [], []
    for item in module.read_deferred(path):
        at_once.append(item.build() if isinstance(item, Deferred) else item)
        items.append(item)

    assert at_once == list(module.read(path))
    assert [item.build() if isinstance(item, Deferred) else item for item in items] == at_once


def test_the_digest_changes_with_the_item_and_only_with_it(tmp_path):
    def digests(text):
        items = format_module("rss").read_deferred(write(tmp_path / "feed.xml", text))
        return [item.digest for item in items]

    first, second = digests(document("rss"))
    assert digests(document("rss")) == [first, second]
    changed, same = digests(document("rss", one="Harbour reopens at dawn"))
    assert (changed != first, same) == (True, second)


# --- unchanged, changed ---------------------------------------------------------------------------------


def test_an_unchanged_item_is_unchanged_and_a_changed_one_is_updated(kind, tmp_path):
    path = write(tmp_path / "wire.xml", document(kind))
    assert run(kind, path).summary == counts(kind, created=2)
    assert all(Article.objects.values_list("import_fingerprint", flat=True))

    assert run(kind, path).summary == counts(kind, unchanged=2)

    write(path, document(kind, one="Harbour reopens at dawn"))
    result = run(kind, path)

    assert result.summary == counts(kind, updated=1, unchanged=1)
    assert headlines() == sorted(["Harbour reopens at dawn", TWO])
    assert sorted(Article.objects.values_list("version", flat=True)) == [1, 2]
    assert run(kind, path).summary == counts(kind, unchanged=2)


def test_an_unchanged_item_is_told_by_its_fingerprint_without_building_its_record(kind, tmp_path):
    path = write(tmp_path / "wire.xml", document(kind))
    run(kind, path)
    # A stored checksum no record could have: only an item whose record is built and compared notices.
    Article.objects.update(import_checksum="0" * 64)

    assert run(kind, path).summary == counts(kind, unchanged=2)

    Article.objects.update(import_fingerprint="")
    assert run(kind, path).summary == counts(kind, updated=2)


def test_an_article_without_a_fingerprint_is_compared_by_checksum_and_then_gets_one(kind, tmp_path):
    # as every article imported before fingerprints existed, or before the importers' code changed
    path = write(tmp_path / "wire.xml", document(kind))
    run(kind, path)
    stored = dict(Article.objects.values_list("pk", "import_fingerprint"))
    revisions = Revision.objects.count()
    Article.objects.update(import_fingerprint="")

    assert run(kind, path).summary == counts(kind, unchanged=2)

    assert dict(Article.objects.values_list("pk", "import_fingerprint")) == stored
    assert set(Article.objects.values_list("version", "imported_version")) == {(1, 1)}
    assert Revision.objects.count() == revisions
    Article.objects.update(import_checksum="0" * 64)  # and the next run goes by the fingerprint
    assert run(kind, path).summary == counts(kind, unchanged=2)


def test_a_stale_fingerprint_is_replaced(kind, tmp_path):
    path = write(tmp_path / "wire.xml", document(kind))
    run(kind, path)
    stored = dict(Article.objects.values_list("pk", "import_fingerprint"))
    Article.objects.update(import_fingerprint="f" * 64)

    assert run(kind, path).summary == counts(kind, unchanged=2)
    assert dict(Article.objects.values_list("pk", "import_fingerprint")) == stored


def test_dry_run_compares_by_fingerprint_and_writes_nothing(kind, tmp_path):
    path = write(tmp_path / "wire.xml", document(kind))
    run(kind, path)
    write(path, document(kind, one="Harbour reopens at dawn"))

    result = run(kind, path, dry_run=True)

    assert result.summary == counts(kind, updated=1, unchanged=1) + " (dry run: nothing written)"
    assert headlines() == sorted([ONE, TWO])


def test_the_same_item_twice_in_a_file_leaves_the_last_one_whatever_the_batches(kind, tmp_path):
    old = write(tmp_path / "old.xml", document(kind))
    run(kind, old)
    # the changed item first, then the item as the database has it: the last one wins, and the one
    # that matches the stored fingerprint when it is read no longer does when it is written
    new = write(tmp_path / "new.xml", document(kind, one="Harbour reopens at dawn"))
    both = tmp_path / "both"
    both.mkdir()
    write(both / "1.xml", new.read_text())
    write(both / "2.xml", old.read_text())

    for batch_size in (1, 500):
        Article.objects.all().delete()
        run(kind, old)
        result = run(kind, both, batch_size=batch_size)

        assert result.summary.startswith("created 0, updated 2, unchanged 2, failed 0"), batch_size
        assert headlines() == sorted([ONE, TWO])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_with_the_background_writer_alternating_versions_of_an_item_end_with_the_last(kind, tmp_path):
    """
    On PostgreSQL outside a transaction the fingerprints are looked up on the reading thread while the
    writer is still writing the batch before: an item that matches then may not match any more when its
    turn comes. The writer checks again under its lock and builds the item itself.
    """
    old, new = document(kind), document(kind, one="Harbour reopens at dawn")
    run(kind, write(tmp_path / "old.xml", old))
    folder = tmp_path / "alternating"
    for number in range(1, 21):
        write(folder / f"{number:02}.xml", new if number % 2 else old)

    result = run(kind, folder, batch_size=1)

    assert result.summary.split(", skipped")[0] == "created 0, updated 20, unchanged 20, failed 0"
    assert headlines() == sorted([ONE, TWO])
    assert run(kind, tmp_path / "old.xml").summary == counts(kind, unchanged=2)


# --- --status, --source ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rss", "atom", "nitf", "newsml"])
def test_a_different_status_updates_items_that_carry_none(kind, tmp_path):
    path = write(tmp_path / "wire.xml", document(kind))
    run(kind, path)

    result = run(kind, path, status="published")

    assert result.summary == counts(kind, updated=2)
    assert set(Article.objects.values_list("status", flat=True)) == {"published"}
    assert run(kind, path, status="published").summary == counts(kind, unchanged=2)


def test_a_different_status_leaves_wordpress_posts_that_carry_their_own(tmp_path):
    path = write(tmp_path / "wire.xml", document("wxr"))
    run("wxr", path)

    assert run("wxr", path, status="published").summary == counts("wxr", unchanged=2)
    assert run("wxr", path, status="published").summary == counts("wxr", unchanged=2)


def test_a_different_source_creates_its_own_articles(kind, tmp_path):
    path = write(tmp_path / "wire.xml", document(kind))
    run(kind, path)

    assert run(kind, path, source="courier").summary == counts(kind, created=2)
    assert run(kind, path, source="courier").summary == counts(kind, unchanged=2)
    assert Article.objects.filter(source="courier").count() == 2


# --- local edits -----------------------------------------------------------------------------------------


def edit_in_the_cms(article, **fields):
    # What every CMS save does with optimistic locking: change the row and bump its version.
    Article.objects.filter(pk=article.pk).update(version=F("version") + 1, **fields)


def test_an_edited_article_keeps_its_edits_unless_overwrite_local_edits(kind, tmp_path):
    path = write(tmp_path / "wire.xml", document(kind))
    run(kind, path)
    edit_in_the_cms(first_item(), headline="Edited by an editor")

    assert run(kind, path).summary == counts(kind, unchanged=1, extra=", kept local edits 1")
    assert first_item().headline == "Edited by an editor"

    result = run(kind, path, overwrite_local_edits=True)

    assert result.summary == counts(kind, updated=1, unchanged=1)
    assert (first_item().headline, first_item().version, first_item().imported_version) == (ONE, 3, 3)
    assert run(kind, path).summary == counts(kind, unchanged=2)


# --- wire versions ---------------------------------------------------------------------------------------


def test_newsml_versions_by_fingerprint(tmp_path):
    v1 = write(tmp_path / "v1.xml", document("newsml"))
    v2 = write(tmp_path / "v2.xml", document("newsml", one="Harbour reopens at dawn", version="2"))

    assert run("newsml", v1).summary == counts("newsml", created=2)
    assert run("newsml", v1).summary == counts("newsml", unchanged=2)
    assert run("newsml", v2).summary == counts("newsml", updated=1, unchanged=1)
    assert run("newsml", v2).summary == counts("newsml", unchanged=2)
    late = run("newsml", v1)

    assert late.summary == counts("newsml", unchanged=1, extra=", older version ignored 1")
    assert first_item().headline == "Harbour reopens at dawn"
    assert first_item().source_version == 2


def test_nitf_du_key_versions_by_fingerprint(tmp_path):
    v1 = write(tmp_path / "v1.xml", document("nitf"))
    changed = document("nitf", one="Harbour reopens at dawn")
    v2 = write(tmp_path / "v2.xml", changed.replace('<du-key version="1"/>', '<du-key version="2"/>'))

    run("nitf", v1)
    assert run("nitf", v2).summary == counts("nitf", updated=1, unchanged=1)
    assert run("nitf", v1).summary == counts("nitf", unchanged=1, extra=", older version ignored 1")
    assert first_item().headline == "Harbour reopens at dawn"


# --- lead images -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rss", "nitf", "newsml", "wxr"])
def test_a_lead_image_not_attached_is_retried_when_it_can_be(kind, tmp_path):
    path = write(tmp_path / "wire.xml", document(kind, image=True))
    first = run(kind, path)
    assert first.summary == counts(kind, created=2, extra=", lead images not attached 1")
    assert first.errors[0].startswith(f"{path}:")
    assert run(kind, path).summary == counts(kind, unchanged=2)  # still missing: nothing to do

    write(tmp_path / "photos" / "harbour.jpg", PHOTO)

    assert run(kind, path).summary == counts(kind, updated=1, unchanged=1)
    assert first_item().lead_image.alt_text == "Boats"
    assert run(kind, path).summary == counts(kind, unchanged=2)

    Image.objects.all().delete()  # the article loses its lead image (SET_NULL), its version unchanged

    assert run(kind, path).summary == counts(kind, updated=1, unchanged=1)
    assert first_item().lead_image.alt_text == "Boats"
    assert run(kind, path).summary == counts(kind, unchanged=2)


def test_a_lead_image_named_by_url_is_left_alone_by_fingerprint_unless_fetch_images(tmp_path):
    with PhotoServer({"/harbour.jpg": PHOTO}) as server:
        remote = RSS_IMAGE.replace("photos/harbour.jpg", f"{server.url}/harbour.jpg")
        path = write(tmp_path / "wire.xml", RSS.format(one=ONE, two=TWO, image=remote))
        assert run("rss", path).summary == counts("rss", created=2)
        assert first_item().lead_image_source == f"{server.url}/harbour.jpg"
        Article.objects.update(import_checksum="0" * 64)  # as before: only a built record notices

        assert run("rss", path).summary == counts("rss", unchanged=2)  # the URL is only recorded again

        # the item naming the image is built (and fetches it), the other one is told by its fingerprint
        assert run("rss", path, fetch_images=True).summary == counts("rss", updated=1, unchanged=1)
        assert first_item().lead_image.alt_text == "Boats"
        assert run("rss", path, fetch_images=True).summary == counts("rss", unchanged=2)
        assert server.requests == ["/harbour.jpg"]


def test_wxr_attachment_and_author_changes_update_the_posts_using_them(tmp_path):
    path = write(tmp_path / "wire.xml", document("wxr", image=True))
    write(tmp_path / "photos" / "harbour.jpg", PHOTO)
    run("wxr", path)
    assert run("wxr", path).summary == counts("wxr", unchanged=2)

    write(path, document("wxr", image=True, author="Ana Berg-Lund"))
    # the file's context changed: both posts are built, the one by ana is updated
    assert run("wxr", path).summary == counts("wxr", updated=1, unchanged=1)
    assert [b.author.name for b in first_item().bylines.all()] == ["Ana Berg-Lund"]

    write(path, document("wxr", image=True, author="Ana Berg-Lund", alt="Boats at dawn"))
    assert run("wxr", path).summary == counts("wxr", updated=1, unchanged=1)
    assert run("wxr", path).summary == counts("wxr", unchanged=2)


# --- other formats writing the same articles --------------------------------------------------------------


def test_an_article_written_from_another_format_is_updated_back_by_the_xml_file(tmp_path):
    path = write(tmp_path / "wire.xml", document("rss"))
    run("rss", path, source="wire")
    assert Article.objects.get(external_id="rss-1").import_fingerprint
    jsonl = write(
        tmp_path / "fix.jsonl", '{"source": "wire", "external_id": "rss-1", "headline": "Fixed elsewhere"}\n'
    )
    assert import_articles(jsonl).summary == "created 0, updated 1, unchanged 0, failed 0"
    assert Article.objects.get(external_id="rss-1").import_fingerprint == ""

    assert run("rss", path, source="wire").summary == counts("rss", updated=1, unchanged=1)
    assert Article.objects.get(external_id="rss-1").headline == ONE


# --- failures --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, fixture", XML_FIXTURES)
def test_failures_are_reported_with_path_and_line_on_every_run(name, fixture):
    path = FIXTURES / fixture
    read = format_module(name).read(path)
    expected = [f"{path}:{item.line}: {item.reason}" for item in read if isinstance(item, Failure)]

    first = import_articles(path, format=name)
    again = import_articles(path, format=name)

    def failures(result):  # lead images are reported when they are tried, not on every run
        return [line for line in result.errors if "lead image" not in line and "CommandError" not in line]

    assert failures(first) == expected
    assert failures(again) == expected


# --- when deferred items are built ----------------------------------------------------------------------


def test_deferred_items_are_built_as_they_come_while_they_are_new_and_at_their_batch_once_they_exist(
    tmp_path,
):
    built = []

    def item(number):
        def build():
            built.append(number)
            return Record(external_id=f"item-{number}", headline=f"Item {number}", line=number)

        return Deferred(f"item-{number}", number, f"digest {number}", build)

    def importer():
        return Importer(batch_size=2, background=False)

    first = importer()
    first.add(item(1), path=tmp_path, format_name="rss")
    assert built == [1]  # no article of the source exists: built at once, its element still parsed
    first.add(item(2), path=tmp_path, format_name="rss")
    first.close()
    assert (built, first.counts[CREATED]) == ([1, 2], 2)

    built.clear()
    again = importer()
    for number in (1, 2, 3):
        again.add(item(number), path=tmp_path, format_name="rss")
    assert built == []  # the source has articles: each waits for its fingerprint to be looked up
    again.close()
    assert (built, again.counts[UNCHANGED], again.counts[CREATED]) == ([3], 2, 1)

    built.clear()
    more = importer()
    for number in (4, 5, 6):
        more.add(item(number), path=tmp_path, format_name="rss")
    assert built == [4, 5, 6]  # items 4 and 5, at their batch, were all new: item 6 is built as it comes
    more.close()
    assert more.counts[CREATED] == 3
