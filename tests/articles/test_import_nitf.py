"""The nitf import format: NITF 3.x wire stories."""

import datetime
from pathlib import Path

from articles.importers import FORMATS, Failure, NoItems, nitf

FIXTURES = Path(__file__).parent.parent / "fixtures" / "nitf"


def test_nitf_is_registered_and_recognised():
    assert FORMATS["nitf"] == "articles.importers.nitf"
    assert nitf.sniff((FIXTURES / "story.xml").read_bytes()[:4096])
    assert not nitf.sniff(b"<rss/>")


def test_a_story_maps_doc_id_hedline_byline_docdata_and_body():
    (story,) = nitf.read(FIXTURES / "story.xml")

    assert story.external_id == "WIRE-2024-0312-0042"
    assert story.headline == "Senate passes $4 billion water bill"  # hl1, inline markup flattened
    assert story.dek == "Drought-hit states get funds for reservoirs"  # hl2
    assert [a.name for a in story.authors] == ["Alex Kim", "Maria Lopez"]  # byttl is not an author
    assert story.version == "2"  # du-key


def test_keywords_identified_content_and_subjects_become_tags():
    (story,) = nitf.read(FIXTURES / "story.xml")

    assert story.tags == [
        "water",
        "drought",
        "Maria Lopez",
        "U.S. Senate",
        "California",
        "Infrastructure",
        "Legislature",
    ]


def test_published_at_is_the_later_of_issue_and_release_dates():
    (story,) = nitf.read(FIXTURES / "story.xml")

    assert story.published_at == datetime.datetime(2024, 3, 12, 15, 0, tzinfo=datetime.UTC)


def test_the_dateline_opens_the_body_and_media_becomes_the_lead_image():
    (story,) = nitf.read(FIXTURES / "story.xml")

    assert story.body_html.startswith(
        "<p>WASHINGTON (EW) — The Senate on Tuesday passed a bill to fund new reservoirs in drought-hit"
    )
    assert "<h2>What is in the bill</h2>" in story.body_html
    assert (
        '<a href="https://example.gov/bill" rel="noopener noreferrer">$4 billion</a> &amp; more.'
        in story.body_html
    )
    assert "<p>“It is overdue,” said Sen. Lopez.</p>" in story.body_html  # block unwrapped
    assert "media" not in story.body_html and "reservoir.jpg" not in story.body_html
    assert story.lead_image == {
        "path": "photos/reservoir.jpg",  # relative to the import file
        "alt": "A half-empty reservoir",
        "caption": "Lake Mead in February.",
        "credit": "Photo: J. Smith / Example Wire",
    }


def test_a_namespace_free_windows_1252_story_with_missing_optional_fields():
    (story,) = nitf.read(FIXTURES / "windows1252.xml")

    assert story.headline == "Café society – Paris’s terraces reopen"
    assert [a.name for a in story.authors] == ["Claire Dubois"]
    assert story.published_at == datetime.datetime(2024, 4, 1, tzinfo=datetime.UTC)
    assert (story.dek, story.tags, story.lead_image, story.version) == ("", [], None, "")


def test_a_head_only_document_fails_with_its_line_and_a_bad_date_is_left_out(tmp_path):
    path = tmp_path / "two.xml"
    path.write_text(
        "<wire>\n<nitf><body><body.head><hedline><hl1>No text</hl1></hedline></body.head></body></nitf>\n"
        '<nitf><head><docdata><doc-id id-string="x"/><date.issue norm="2024-13-45"/></docdata></head>'
        "<body><body.head><hedline><hl1>Bad date</hl1></hedline></body.head>"
        "<body.content><p>Text.</p></body.content></body></nitf>\n</wire>"
    )

    head_only, bad_date = nitf.read(path)

    assert head_only == Failure(2, nitf.NO_BODY)
    assert (bad_date.external_id, bad_date.headline, bad_date.published_at) == ("x", "Bad date", None)


def test_a_file_without_any_nitf_document_says_so(tmp_path):
    path = tmp_path / "empty.xml"
    path.write_text("<wire><note>nothing on the wire tonight</note></wire>")

    assert list(nitf.read(path)) == [NoItems("no nitf document in the file")]
    assert list(nitf.read_deferred(path)) == [NoItems("no nitf document in the file")]


def test_paths_are_found_as_elementpath_finds_them_with_repeated_and_namespaced_steps():
    from lxml import etree

    from articles.importers.safexml import any_namespace

    story = etree.fromstring(
        '<nitf xmlns:x="urn:x"><head><title>First head, no docdata</title></head>'
        '<x:head><docdata><doc-id id-string="second"/></docdata></x:head>'
        '<head><docdata><doc-id id-string="third"/></docdata></head><!-- a comment --><body/></nitf>'
    )
    paths = ["head", "head/docdata", "head/docdata/doc-id", "head/title", "body/body.head", "nothing/here"]

    for path in paths:
        assert nitf._find(story, path) is story.find(any_namespace(path)), path
    assert nitf._find(story, "head/docdata/doc-id").get("id-string") == "second"
    assert nitf._find(None, "head") is None
