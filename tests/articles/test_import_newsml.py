"""The newsml import format: IPTC NewsML-G2 newsItems, alone or in a newsMessage."""

import datetime
from pathlib import Path

from articles.importers import FORMATS, Failure, Record, Skipped, newsml, nitf

FIXTURES = Path(__file__).parent.parent / "fixtures" / "newsml"
UTC = datetime.UTC


def read(name):
    return list(newsml.read(FIXTURES / name))


def test_newsml_is_registered_and_recognised():
    assert FORMATS["newsml"] == "articles.importers.newsml"
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
