"""The newsml import format: NewsML-G2 items (alone or in a newsMessage) and NewsML 1.x NewsItems."""

import datetime
from pathlib import Path

import pytest

from articles.models import Article
from ingest.importers import (
    FORMATS,
    Deferred,
    Failure,
    NoItems,
    Record,
    Skipped,
    detect_format,
    newsml,
    nitf,
)
from tests.ingest.import_helpers import import_articles

FIXTURES = Path(__file__).parent.parent / "fixtures" / "newsml"
UTC = datetime.UTC


def read(name):
    return list(newsml.read(FIXTURES / name))


def test_newsml_is_registered_and_recognised():
    assert FORMATS["newsml"] == "ingest.importers.newsml"
    assert newsml.sniff((FIXTURES / "message.xml").read_bytes()[:4096])
    assert newsml.sniff((FIXTURES / "ferry_v1.xml").read_bytes()[:4096])
    assert not newsml.sniff(b"<nitf/>")


def test_a_text_item_maps_guid_version_headline_by_located_subjects_and_xhtml_body():
    quake = read("message.xml")[0]

    assert quake == Record(
        external_id="urn:newsml:wire.example.com:20240402:quake",
        headline="Strong earthquake hits eastern Taiwan, tsunami warning lifted",  # not the short one
        line=8,
        body_html="<p>HUALIEN, Taiwan — A strong earthquake struck on Tuesday morning.</p>"
        "<p>Buildings <em>swayed</em> in Taipei.</p>",
        dek="A magnitude 7.2 quake struck off the east coast.",
        slug="taiwan-quake",
        authors=quake.authors,
        tags=["earthquake", "Taiwan", "tsunami warning"],  # subjects without a name are left out
        published_at=datetime.datetime(2024, 4, 2, 0, 40, tzinfo=UTC),  # firstCreated
        updated_at=datetime.datetime(2024, 4, 2, 9, 55, tzinfo=UTC),  # versionCreated
        lead_image={
            "url": "https://wire.example.com/photos/quake.jpg",
            "alt": "Damaged road in Hualien",
            "caption": "",
            "credit": "",
        },
        version="1",
    )
    assert [a.name for a in quake.authors] == ["Li Wei", "Mei Chen"]  # from "By Li Wei and Mei Chen"


def test_an_inline_nitf_body_and_a_literal_creator():
    markets = read("message.xml")[2]

    assert markets.body_html == "<p>Stocks in Tokyo were flat.</p>"
    assert [a.name for a in markets.authors] == ["Market Desk"]
    assert markets.lead_image["url"] == "https://wire.example.com/photos/tokyo.jpg"
    assert markets.published_at == markets.updated_at == datetime.datetime(2024, 4, 2, 11, 0, tzinfo=UTC)
    assert markets.version == "3"


def test_pictures_and_canceled_items_are_skipped_and_a_bad_version_fails():
    results = read("message.xml")

    assert [r for r in results if isinstance(r, Skipped)] == [
        Skipped(40, "a picture item, not text", "picture"),
        Skipped(61, "pubStatus canceled", "canceled"),
    ]
    assert [r for r in results if isinstance(r, Failure)] == [Failure(65, "version 'v2' is not a number")]


def test_each_version_of_an_item_carries_its_number_so_the_newer_one_wins():
    (first,) = read("ferry_v1.xml")
    (second,) = read("ferry_v2.xml")

    assert first.external_id == second.external_id
    assert (first.version, second.version) == ("1", "2")
    assert second.headline == "Ferry capsizes off Java, 12 rescued and dozens missing"
    assert second.body_html.startswith("<p>JAKARTA, Indonesia — A ferry capsized")  # the dateline element
    assert second.updated_at == datetime.datetime(2024, 4, 3, 8, 30, tzinfo=UTC)


def test_a_message_with_inline_nitf_is_still_recognised_as_newsml_not_nitf():
    head = (FIXTURES / "message.xml").read_bytes()[:4096]

    assert newsml.sniff(head) and not nitf.sniff(head)


# --- the real-shaped corpus: one test per shape agencies send ---------------------------------------

REALWORLD = FIXTURES.parent / "realworld" / "newsml"


def real(name):
    return list(newsml.read(REALWORLD / name))


def records(name):
    return [item for item in real(name) if isinstance(item, Record)]


def test_g2_with_a_nar_prefix_takes_the_headline_in_the_items_language_and_the_fullest_rendition():
    unemployment, torch = records("afp_g2_nar_prefix.xml")

    # xml:lang="fr": the French headline, not the English one nor the short one
    assert unemployment.headline == "Le taux de chômage recule à 7,3% en France au premier trimestre"
    assert unemployment.version == "3"
    assert unemployment.slug == "france-social-chômage"
    assert unemployment.dek == "Le taux de chômage a reculé de 0,2 point au premier trimestre, selon l'Insee."
    # the creators are the authors; the contributor is an editor
    assert [a.name for a in unemployment.authors] == ["Julie DUPONT", "Thomas MARTIN"]
    assert unemployment.tags == ["économie, affaires et finances", "travail", "France"]  # French names
    # two renditions, a summary and the full text: the full one, opened by the dateline
    assert unemployment.body_html.startswith("<p>Paris, 14 mai 2024 (AFP) — Le taux de chômage en France")
    assert unemployment.body_html.count("<p>") == 3
    assert unemployment.published_at == datetime.datetime(2024, 5, 14, 7, 2, 11, tzinfo=UTC)
    assert unemployment.updated_at == datetime.datetime(2024, 5, 14, 9, 29, 55, tzinfo=UTC)
    # a creator with only a qcode is a code, not a name; located/name is the dateline
    assert torch.authors == []
    assert torch.body_html.startswith("<p>Marseille — La flamme olympique")


def test_ap_nitf_renditions_keep_their_own_dateline_and_split_the_byline():
    items = real("ap_newsmessage_nitf.xml")
    stories = [item for item in items if isinstance(item, Record)]

    assert len(stories) == 7
    senate = stories[0]
    assert senate.external_id == "tag:ap.org,2011:9b1f0c2e7d4a4f18a6e3c5d2b7a81f01"
    assert senate.headline == "Senate passes stopgap bill, averting weekend shutdown"
    # the body already opens "WASHINGTON (AP) _": the dateline is not put in front a second time
    assert senate.body_html.startswith("<p>WASHINGTON (AP) _ The Senate passed")
    assert "WASHINGTON —" not in senate.body_html
    assert [a.name for a in senate.authors] == ["LISA MASCARO", "KEVIN FREKING"]
    assert senate.tags == ["Congress", "Government budgets"]
    assert Skipped(102, "a picture item, not text", "picture") in items


def test_reuters_g2_keeps_its_long_version_numbers_and_its_by_line_over_the_agency_creator():
    ecb, brazil = records("reuters_g2_text.xml")

    assert ecb.version == "1254418307"  # Reuters versions are message ids: bigger is newer
    assert ecb.headline == "UPDATE 2-ECB policymakers see no rush for second rate cut after June move"
    assert [a.name for a in ecb.authors] == ["Francesco Canepa", "Balazs Koranyi"]  # not "Reuters"
    assert ecb.tags == ["Central banks", "Euro zone"]  # subjects with only a code are left out
    assert ecb.slug == "eu-ecbrates"
    assert ecb.body_html.startswith("<p>FRANKFURT, June 11 (Reuters) - European")
    assert brazil.headline == "Brazil's inflation slows more than expected in May"


def test_without_a_headline_element_the_item_title_or_the_bodys_own_heading_is_the_headline():
    (writer,) = records("writer_itemmeta_title_only.xml")
    (dpa,) = records("dpa_g2_xhtml_header.xml")

    assert writer.headline == "Ny bro över Selångersån klar till hösten"  # itemMeta/title
    assert (
        writer.dek == "Den nya gång- och cykelbron ska vara klar i oktober, meddelar kommunen."
    )  # not the caption
    assert [a.name for a in writer.authors] == ["Karin Lund"]  # a contributor in the author role
    # dpa: the h1 of the XHTML header, and the header (slugline lists, genre) is not part of the body
    assert dpa.headline == "Koalition einigt sich auf Haushaltsentwurf für 2025"
    assert dpa.body_html.startswith("<p>Berlin (dpa) - Nach wochenlangem Streit")
    assert "Meldung" not in dpa.body_html and "Koalition einigt" not in dpa.body_html
    assert dpa.tags == ["Politik", "Deutschland", "Haushalt", "Bundesregierung"]


def test_ansa_inline_data_is_text_or_the_html_it_really_holds():
    budget, stocks = records("ansa_g2_inlinedata.xml")

    assert budget.headline == "Manovra: Giorgetti, sarà presentata entro il 15 ottobre"  # xml:lang="it"
    assert "&lt;p&gt;" not in budget.body_html  # declared text/plain, but HTML paragraphs
    assert budget.body_html.count("<p>") == 3
    assert "ROMA, 18 SET —" not in budget.body_html  # "(ANSA) - ROMA, 18 SET - " is the dateline already
    assert budget.tags == ["Politica", "governo", "manovra"]
    assert stocks.body_html == (
        "<p>(ANSA) - MILANO, 18 SET - Avvio in rialzo per Piazza Affari, con il Ftse Mib che guadagna lo "
        "0,6% a 33.910 punti.</p><p>In evidenza le banche, con Unicredit e Intesa Sanpaolo in crescita di "
        "oltre un punto percentuale.</p>"
    )


def test_text_only_in_remote_content_is_skipped_and_a_composite_with_inline_text_imports():
    remote, harvest = real("composite_and_remote_only.xml")

    assert remote == Skipped(
        9,
        "text only in remoteContent https://content.wire.example.net/items/20241002/storm.xhtml "
        "(not fetched; no inline rendition)",
        "remote",
    )
    assert harvest.headline == "French wine harvest smallest in decades after wet spring"
    assert harvest.body_html.startswith("<p>France's wine harvest")  # the h1 repeating it is left out
    assert harvest.lead_image["url"] == "https://media.wire.example.net/20241002/harvest.jpg"


def test_pictures_packages_planning_and_concepts_are_skipped_each_with_its_reason():
    assert real("picture_item.xml") == [Skipped(2, "a picture item, not text", "picture")]
    assert real("package_and_planning.xml") == [
        Skipped(8, "a packageItem (it only refers to other items)", "package"),
        Skipped(30, "a planningItem (coverage planning, not a story)", "planning"),
        Skipped(50, "a conceptItem (a controlled-vocabulary concept, not a story)", "concept"),
    ]


def test_a_news_message_without_items_says_so():
    assert real("empty_newsmessage.xml") == [NoItems("the newsMessage holds no items")]


def test_newsml_1_with_a_nitf_body_is_one_record_per_news_item_with_the_revision_as_version():
    drought, stocks = records("efe_newsml1_nitf.xml")

    # ProviderId:DateId:NewsItemId, without the revision, so that revision 3 updates this article
    assert drought.external_id == "urn:newsml:efe.com:20240611:1003"
    assert drought.version == "2"
    assert drought.headline == "Cataluña levanta las restricciones por sequía en el área de Barcelona"
    assert drought.dek == "Los embalses superan el 40 % de su capacidad tras las lluvias de mayo"
    assert [a.name for a in drought.authors] == ["Marta Ruiz"]  # "Por Marta Ruiz"
    assert drought.slug == "sequía-cataluña"
    assert drought.tags == ["sequía", "agua", "Cataluña", "embalses"]  # KeywordLine, Property Keyword
    assert drought.body_html.startswith("<p>Barcelona, 11 jun (EFE) — El Gobierno catalán")
    assert drought.published_at == datetime.datetime(2024, 6, 11, 7, 15, tzinfo=UTC)
    assert drought.updated_at == datetime.datetime(2024, 6, 11, 8, 27, tzinfo=UTC)
    assert stocks.external_id == "urn:newsml:efe.com:20240611:1017"


def test_newsml_1_nested_components_give_text_tags_and_photo_and_skip_the_rest():
    items = real("reuters_newsml1_xhtml.xml")
    (retail,) = [item for item in items if isinstance(item, Record)]

    assert retail.headline == "UK shop prices rise at fastest pace in a year -BRC"
    assert [a.name for a in retail.authors] == ["David Milliken"]
    assert retail.tags == ["Retail sales", "United Kingdom"]  # TopicOccurrence -> Topic/Description
    assert retail.body_html.startswith("<p>LONDON, March 4 (Reuters) - British shop prices")
    assert retail.lead_image == {
        "url": "https://pictures.example-reuters.com/2008/03/04/oxford-street.jpg",
        "alt": "Shoppers on Oxford Street",
        "caption": "Shoppers on Oxford Street",
        "credit": "",
    }
    assert [item for item in items if isinstance(item, Skipped)] == [
        Skipped(
            81,
            "a graphic component of urn:newsml:reuters.com:20080304:L04538302, not imported",
            "graphic-component",
        ),
        Skipped(88, "a NewsML 1 photo item, not text", "photo"),  # its caption is not a story
    ]


def test_newsml_1_bare_paragraphs_import_and_a_canceled_item_is_skipped():
    tour, canceled = real("afp_newsml1_paragraphs.xml")

    assert tour.headline == "Tour de France: Pogacar conserve le maillot jaune au terme de la 11e étape"
    assert tour.body_html.startswith("<p>Le Lioran (France), 10 juil 2024 (AFP) — Le Slovène Tadej Pogacar")
    assert tour.body_html.count("<p>") == 2
    assert canceled == Skipped(50, "NewsML 1 Status canceled", "canceled")


def test_newsml_1_is_detected_as_newsml_even_with_nitf_inside():
    path = REALWORLD / "efe_newsml1_nitf.xml"

    assert nitf.sniff(path.read_bytes()[:4096])  # nitf alone would claim it
    assert detect_format(path) == "newsml"


def test_an_item_without_guid_is_known_by_its_alt_id_and_one_without_either_fails(tmp_path):
    path = tmp_path / "ids.xml"
    path.write_text(
        f'<newsMessage xmlns="{newsml.G2}"><itemSet>'
        '<newsItem version="1"><itemMeta><itemClass qcode="ninat:text"/></itemMeta>'
        '<contentMeta><altId type="idType:publicIdentifier">urn:publicid:wire:9</altId>'
        "<headline>With an altId</headline></contentMeta></newsItem>"
        '<newsItem version="1"><itemMeta><itemClass qcode="ninat:text"/></itemMeta>'
        "<contentMeta><headline>Nothing to know it by</headline></contentMeta></newsItem>"
        "</itemSet></newsMessage>",
        encoding="utf-8",
    )

    known, unknown = newsml.read(path)

    assert (known.external_id, known.headline) == ("urn:publicid:wire:9", "With an altId")
    assert unknown == Failure(1, "no guid attribute and no altId: the item cannot be identified")


def test_a_leading_heading_leaves_the_body_only_when_it_is_the_headline(tmp_path):
    def item(guid, headline):
        return (
            f'<newsItem guid="{guid}"><itemMeta><itemClass qcode="ninat:text"/></itemMeta>'
            f"<contentMeta><headline>{headline}</headline></contentMeta><contentSet>"
            '<inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml"><body>'
            "<h2>Live: the count goes on</h2><p>Polls closed at 8 p.m.</p></body></html></inlineXML>"
            "</contentSet></newsItem>"
        )

    path = tmp_path / "headings.xml"
    path.write_text(
        f'<newsMessage xmlns="{newsml.G2}"><itemSet>'
        + item("a", "Live: the count goes on")
        + item("b", "Election night in Lisbon")
        + "</itemSet></newsMessage>",
        encoding="utf-8",
    )

    repeated, subheading = newsml.read(path)

    assert repeated.body_html == "<p>Polls closed at 8 p.m.</p>"
    assert subheading.body_html == "<h2>Live: the count goes on</h2><p>Polls closed at 8 p.m.</p>"


def test_a_g2_item_without_any_namespace_is_still_newsml(tmp_path):
    path = tmp_path / "bare.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<newsItem guid="urn:newsml:desk.example:1" version="2">'
        '<itemMeta><itemClass qcode="ninat:text"/></itemMeta>'
        "<contentMeta><headline>No namespace at all</headline></contentMeta>"
        '<contentSet><inlineData contenttype="text/plain">One line.</inlineData></contentSet></newsItem>',
        encoding="utf-8",
    )

    assert detect_format(path) == "newsml"
    (item,) = newsml.read(path)
    assert (item.external_id, item.version, item.body_html) == (
        "urn:newsml:desk.example:1",
        "2",
        "<p>One line.</p>",
    )


def test_read_deferred_builds_exactly_what_read_gives_for_the_whole_corpus():
    for path in sorted(REALWORLD.glob("*.xml")):
        built = [item.build() if isinstance(item, Deferred) else item for item in newsml.read_deferred(path)]
        assert built == list(newsml.read(path)), path.name


# --- the corpus through the command ------------------------------------------------------------------

# What an editor counts as a text story in each file (a canceled one is not a story to run)
TEXT_ITEMS = {
    "afp_g2_nar_prefix.xml": 2,
    "afp_newsml1_paragraphs.xml": 1,
    "ansa_g2_inlinedata.xml": 2,
    "ap_newsmessage_nitf.xml": 7,
    "composite_and_remote_only.xml": 2,  # one of them only points at its text
    "dpa_g2_xhtml_header.xml": 1,
    "efe_newsml1_nitf.xml": 2,
    "reuters_g2_text.xml": 2,
    "reuters_newsml1_xhtml.xml": 1,
    "writer_itemmeta_title_only.xml": 1,
}


@pytest.mark.django_db
def test_the_corpus_imports_nearly_every_text_item_and_reports_every_other_one():
    result = import_articles(REALWORLD, status="published")

    assert result.code == 0, result.errors
    created = Article.objects.count()
    assert created >= 0.95 * sum(TEXT_ITEMS.values())
    assert result.summary == (
        "created 20, updated 0, unchanged 0, failed 0, skipped newsml canceled 1, skipped newsml concept 1, "
        "skipped newsml graphic-component 1, skipped newsml package 1, skipped newsml photo 1, "
        "skipped newsml picture 2, skipped newsml planning 1, skipped newsml remote 1"
    )
    assert f"{REALWORLD / 'empty_newsmessage.xml'}: 0 items: the newsMessage holds no items" in result.out
