"""The nitf import format: NITF 3.x wire stories."""

import datetime
from pathlib import Path

import pytest

from articles.models import Article
from ingest.importers import FORMATS, Failure, NoItems, nitf
from tests.ingest.import_helpers import import_articles, write

FIXTURES = Path(__file__).parent.parent / "fixtures" / "nitf"


def test_nitf_is_registered_and_recognised():
    assert FORMATS["nitf"] == "ingest.importers.nitf"
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

    from ingest.importers.safexml import any_namespace

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


# --- The real-shaped corpus (tests/fixtures/realworld/nitf): one file per class of wire file ---------------

REALWORLD = Path(__file__).parent.parent / "fixtures" / "realworld" / "nitf"


def story(name: str):
    (record,) = nitf.read(REALWORLD / name)
    return record


@pytest.mark.parametrize(
    "name, version, doctype, namespaced",
    [
        ("ap_nitf30_doctype_system.xml", "NITF 3.0", '<!DOCTYPE nitf SYSTEM "nitf-3-0.dtd">', False),
        (
            "reuters_nitf31_public_dukey.xml",
            "NITF 3.1",
            '<!DOCTYPE nitf PUBLIC "-//IPTC-NAA//DTD NITF 3.1//EN"',
            False,
        ),
        ("afp_nitf32_windows1252.xml", "NITF 3.2", '<!DOCTYPE nitf SYSTEM "nitf-3-2.dtd">', False),
        ("nyt_corpus_nitf33_pubdata.xml", "NITF 3.3", "nitf-3-3.dtd", False),  # 3.3 predates the namespace
        ("ap_media_nitf34_regsrc_only.xml", "NITF 3.4", None, True),
        (
            "efe_nitf35_latin1_two_contents.xml",
            "NITF 3.5",
            '<!DOCTYPE nitf PUBLIC "-//IPTC//DTD NITF 3.5//EN"',
            True,
        ),
        ("nitf36_title_release_expire.xml", "NITF 3.6", '<!DOCTYPE nitf SYSTEM "nitf-3-6.dtd">', True),
    ],
)
def test_every_nitf_version_imports_with_or_without_a_doctype_and_the_2006_namespace(
    name, version, doctype, namespaced
):
    head = (REALWORLD / name).read_bytes()[:1024].decode("latin-1")
    assert f"//DTD {version}//EN" in head  # the version attribute (and PUBLIC id) of that release
    assert (doctype in head) if doctype else ("<!DOCTYPE" not in head)
    assert ('xmlns="http://iptc.org/std/NITF/2006-10-18/"' in head) is namespaced

    assert nitf.sniff(head.encode("latin-1"))
    record = story(name)
    assert record.headline and record.external_id and record.body_html.startswith("<")


def test_the_external_id_is_doc_id_then_du_key_then_regsrc_with_a_digest_of_the_opening():
    assert story("ap_nitf30_doctype_system.xml").external_id == "D7QK2P0G0"  # doc-id@id-string wins
    assert story("reuters_nitf31_public_dukey.xml").external_id == "MARKETS-STOCKS/EUROPE"  # du-key@key
    ap = story("ap_media_nitf34_regsrc_only.xml")  # AP's <doc-id regsrc="AP"/>: nothing else
    assert ap.external_id.startswith("AP-") and len(ap.external_id) == len("AP-") + 16
    assert story("ap_media_nitf34_regsrc_only.xml").external_id == ap.external_id  # stable


def test_a_story_with_no_identity_at_all_gets_a_digest_that_tells_stories_apart(tmp_path):
    def digest_id(headline, text):
        path = tmp_path / "anonymous.xml"
        path.write_text(
            f"<nitf><body><body.head><hedline><hl1>{headline}</hl1></hedline></body.head>"
            f"<body.content><p>{text}</p></body.content></body></nitf>"
        )
        (record,) = nitf.read(path)
        return record.external_id

    first = digest_id("Storm closes ports", "Ports shut.")
    assert first.startswith("nitf-")
    assert digest_id("Storm closes ports", "Ports shut.") == first
    assert digest_id("Storm closes airports", "Airports shut.") != first


def test_du_key_part_other_than_the_first_is_its_own_story(tmp_path):
    path = tmp_path / "parts.xml"
    path.write_text(
        "<wire>"
        + "".join(
            f'<nitf><head><docdata><du-key key="ELECTION-RESULTS" part="{part}"/></docdata></head>'
            f"<body><body.head><hedline><hl1>Results, part {part}</hl1></hedline></body.head>"
            f"<body.content><p>Part {part}.</p></body.content></body></nitf>"
            for part in (1, 2)
        )
        + "</wire>"
    )

    assert [record.external_id for record in nitf.read(path)] == [
        "ELECTION-RESULTS",
        "ELECTION-RESULTS/part-2",
    ]


def test_the_headline_is_hl1_then_head_title_then_hl2_and_hl2_is_never_both():
    assert story("ap_nitf30_doctype_system.xml").headline == (
        "Corps races to shore up Mississippi levees as crest nears"
    )
    reuters = story("reuters_nitf31_public_dukey.xml")
    assert (reuters.headline, reuters.dek) == (
        "European shares edge up as oil eases, banks gain",
        "FTSEurofirst 300 up 0.4 percent; Deutsche Bank leads",
    )
    assert (
        story("nitf36_title_release_expire.xml").headline
        == "Heatwave warning extended to Wales and the Midlands"
    )
    hl2_only, title_only = nitf.read(REALWORLD / "nitf35_hl2_headline_wrapper.xml")
    assert (hl2_only.headline, hl2_only.dek) == ("Canadiens rally past Bruins in overtime", "")
    assert title_only.headline == "Scoreboard"


def test_the_abstract_is_the_dek_and_the_first_byline_gives_the_authors():
    nyt = story("nyt_corpus_nitf33_pubdata.xml")
    assert (
        nyt.dek
        == "Staten Island Ferry resumes full service after two-week repair of slip damaged in collision."
    )
    assert [a.name for a in nyt.authors] == ["JENNIFER 8. LEE"]  # print_byline, not normalized_byline
    assert [a.name for a in story("nitf36_title_release_expire.xml").authors] == ["Tom Pilgrim"]
    assert [a.name for a in story("ap_nitf30_doctype_system.xml").authors] == ["DAVID PITT"]


@pytest.mark.parametrize(
    "name, expected",
    [
        # date.issue in the basic form with an offset
        ("ap_nitf30_doctype_system.xml", datetime.datetime(2001, 4, 12, 13, 15, tzinfo=datetime.UTC)),
        # the extended form, issue and release equal
        ("reuters_nitf31_public_dukey.xml", datetime.datetime(2004, 6, 17, 9, 42, tzinfo=datetime.UTC)),
        # a bare day
        ("afp_nitf32_windows1252.xml", datetime.datetime(2005, 2, 12, tzinfo=datetime.UTC)),
        # no docdata date: pubdata@date.publication, basic form without a zone (UTC)
        ("nyt_corpus_nitf33_pubdata.xml", datetime.datetime(2007, 1, 3, tzinfo=datetime.UTC)),
        # the basic form with Z
        ("ap_media_nitf34_regsrc_only.xml", datetime.datetime(2024, 11, 29, 17, 0, 43, tzinfo=datetime.UTC)),
        # date.release alone (date.expire is not an article field)
        ("nitf36_title_release_expire.xml", datetime.datetime(2023, 7, 11, 5, 12, tzinfo=datetime.UTC)),
    ],
)
def test_published_at_comes_from_issue_release_or_publication_dates_in_every_nitf_form(name, expected):
    assert story(name).published_at == expected


def test_an_invalid_or_partial_date_never_fails_its_story():
    records = {record.external_id: record for record in nitf.read(REALWORLD / "invalid_dates_batch.xml")}

    assert {key: record.published_at for key, record in records.items()} == {
        "DATES-1": datetime.datetime(2024, 3, 12, tzinfo=datetime.UTC),  # 20240312T250000Z: the day is kept
        "DATES-2": None,  # 202403: no day, no date (not today's day, as dateutil would guess)
        "DATES-3": datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC),  # 2024-02-30 and TBA: pubdata
        "DATES-4": datetime.datetime(2024, 3, 12, 19, 30, tzinfo=datetime.UTC),  # the valid issue time wins
    }


@pytest.mark.parametrize(
    "text, expected",
    [
        ("20240312T143000Z", datetime.datetime(2024, 3, 12, 14, 30, tzinfo=datetime.UTC)),
        ("20240312T143000-0500", datetime.datetime(2024, 3, 12, 19, 30, tzinfo=datetime.UTC)),
        ("20240312T1430+0100", datetime.datetime(2024, 3, 12, 13, 30, tzinfo=datetime.UTC)),
        ("20240312", datetime.datetime(2024, 3, 12, tzinfo=datetime.UTC)),
        ("2024-03-12T14:30:00Z", datetime.datetime(2024, 3, 12, 14, 30, tzinfo=datetime.UTC)),
        (
            "2024-03-12T14:30:00.250+01:00",
            datetime.datetime(2024, 3, 12, 13, 30, 0, 250000, tzinfo=datetime.UTC),
        ),
        ("20240312T143000+9900", datetime.datetime(2024, 3, 12, tzinfo=datetime.UTC)),  # broken zone: the day
        ("2024-03-12 soon", datetime.datetime(2024, 3, 12, tzinfo=datetime.UTC)),
        ("2024", None),
        ("202403", None),
        ("20241345", None),
        ("March 12, 2024", None),  # not a NITF form
        ("", None),
    ],
)
def test_nitf_dates(text, expected):
    assert nitf.nitf_date(text) == expected


def test_windows_1252_and_iso_8859_1_files_are_read_in_their_declared_encoding():
    afp = story("afp_nitf32_windows1252.xml")
    assert afp.headline == "Rugby: le XV de France s’impose à Édimbourg – 16 à 9"
    assert afp.body_html.startswith("<p>ÉDIMBOURG — «On a souffert», a reconnu le capitaine")
    assert "dernières minutes… sous la pluie" in afp.body_html
    assert [a.name for a in afp.authors] == ["Hélène Müller", "François Léger"]
    efe = story("efe_nitf35_latin1_two_contents.xml")
    assert efe.headline == "Los embalses andaluces, al 25 % de su capacidad"
    assert efe.tags == ["sequía", "agricultura"]


def test_every_body_content_is_read_in_order_with_headings_tables_and_the_first_image():
    efe = story("efe_nitf35_latin1_two_contents.xml")

    assert efe.body_html.startswith("<p>SEVILLA (EFE) — Los embalses de Andalucía")
    assert efe.body_html.index("capacidad, según") < efe.body_html.index("<h2>Restricciones</h2>")
    assert "<td>Guadalquivir</td>" in efe.body_html and "media" not in efe.body_html
    assert efe.lead_image == {
        "url": "https://fotos.example.es/2023/04/embalse.jpg",
        "alt": "Embalse de La Viñuela casi vacío",
        "caption": "El embalse de La Viñuela, en Málaga.",
        "credit": "EFE/Jorge Zapata",
    }
    ap = story("ap_media_nitf34_regsrc_only.xml")
    assert "<h2>Browns player to watch</h2>" in ap.body_html  # hl2 inside a block
    _, scoreboard = nitf.read(REALWORLD / "nitf35_hl2_headline_wrapper.xml")
    assert scoreboard.body_html.startswith("<table>\n        <caption>NHL results, Wednesday</caption>")


def test_the_nyt_corpus_lead_paragraph_is_not_repeated_and_its_classifiers_are_tags():
    nyt = story("nyt_corpus_nitf33_pubdata.xml")

    assert nyt.body_html.count("The Staten Island Ferry resumed its full schedule") == 1
    assert "quarter-hour rush service" in nyt.body_html
    assert nyt.tags == ["Ferries", "Staten Island (NYC)"]  # classifier text, location


def test_notes_for_the_desk_are_left_out_of_the_body_and_publishable_ones_kept():
    ap = story("ap_nitf30_doctype_system.xml")

    assert "Eds:" not in ap.body_html  # noteclass="editorsnote" type="npa"
    assert ap.body_html.startswith("<p>DAVENPORT, Iowa (AP) — Army Corps of Engineers crews")
    assert "Amy Lorentzen contributed to this report." in ap.body_html  # type="pa": publishable


def test_du_key_version_else_generation_is_the_version():
    assert story("reuters_nitf31_public_dukey.xml").version == "3"
    assert story("afp_nitf32_windows1252.xml").version == "4"  # generation only
    assert story("ap_media_nitf34_regsrc_only.xml").version == ""


@pytest.mark.django_db
def test_a_newer_du_key_version_updates_the_article_and_an_older_one_is_ignored(tmp_path):
    source = (REALWORLD / "reuters_nitf31_public_dukey.xml").read_text()
    v3 = write(tmp_path / "v3.xml", source)
    v4 = write(
        tmp_path / "v4.xml",
        source.replace('version="3" key', 'version="4" key').replace("edge up", "climb"),
    )

    assert import_articles(v3).summary == "created 1, updated 0, unchanged 0, failed 0"
    assert import_articles(v4).summary == "created 0, updated 1, unchanged 0, failed 0"
    late = import_articles(v3)
    assert late.summary == "created 0, updated 0, unchanged 0, failed 0, older version ignored 1"
    assert Article.objects.get().headline == "European shares climb as oil eases, banks gain"


@pytest.mark.django_db
def test_a_head_only_document_is_reported_as_a_failure_the_desk_can_chase():
    path = REALWORLD / "head_only_advisory.xml"

    result = import_articles(path)

    assert result.errors[0] == f"{path}:3: {nitf.NO_BODY}"
    assert result.code == 1  # a failure: the exit status tells cron
    assert result.summary == "created 0, updated 0, unchanged 0, failed 1"
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_the_real_shaped_corpus_imports_and_every_other_item_is_reported_with_a_reason():
    files = sorted(REALWORLD.glob("*.xml"))
    assert 8 <= len(files) <= 12
    documents = {path: len(list(nitf.read(path))) for path in files}
    text_items = sum(documents.values()) - 1  # the advisory in head_only_advisory.xml has no text

    result = import_articles(REALWORLD)

    created = int(result.summary.split()[1].rstrip(","))
    assert created >= 0.95 * text_items
    assert created == Article.objects.count()
    failed = int(result.summary.split("failed ")[1].split(",")[0])
    reported = [line for line in result.errors if line.startswith(str(REALWORLD))]
    assert failed == len(reported) == sum(documents.values()) - created
    assert all(line.split(": ", 1)[1] for line in reported)  # path:line: reason
    imported = set(Article.objects.values_list("external_id", flat=True))
    for path in files:  # no file ends silent: it gave an article, or a reported reason
        ids = {record.external_id for record in nitf.read(path) if not isinstance(record, Failure)}
        assert (ids & imported) or any(line.startswith(f"{path}:") for line in reported), path
