"""The rss import format: RSS 2.0 and Atom feeds, streamed item by item."""

import datetime
from pathlib import Path

import pytest

from articles.importers import FORMATS, Failure, InvalidInput, Record, rss

FIXTURES = Path(__file__).parent.parent / "fixtures" / "rss"
UTC = datetime.UTC


def read(name):
    return list(rss.read(FIXTURES / name))


def test_rss_is_registered_and_recognises_rss_and_atom_but_not_wordpress_exports():
    assert FORMATS["rss"] == "articles.importers.rss"
    assert rss.sniff((FIXTURES / "feed.xml").read_bytes()[:4096])
    assert rss.sniff((FIXTURES / "atom.xml").read_bytes()[:4096])
    assert not rss.sniff(b'<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">')


def test_an_rss_item_maps_guid_title_creators_categories_and_content_encoded():
    item = read("feed.xml")[0]

    assert item.external_id == "metro-2024-0305-001"
    assert item.headline == "Transit strike ends after 3 days — trains run at noon"  # numeric entity
    assert [a.name for a in item.authors] == ["Lee Park", "Sam Ortiz"]  # one dc:creator each
    assert item.tags == ["Transit", "Labor & Unions"]  # CDATA; "transit" again is the same tag
    assert item.canonical_url == "https://metro.example.com/transit-strike-ends"
    assert item.line == 11


def test_content_encoded_is_preferred_over_description_which_becomes_the_dek():
    item = read("feed.xml")[0]

    assert item.body_html == (
        '<p>The strike is over.</p><p>Trains run at noon.</p><img src="https://metro.example.com/x">'
    )  # no onerror; the relative src resolved against the channel's link
    assert item.dek == "Union and city reach a deal."


def test_without_content_encoded_the_description_is_the_body():
    item = read("feed.xml")[1]

    assert item.body_html == "<p>Expect sun &amp; mild temperatures.</p>\n<p>Bring sunglasses.</p>"
    assert item.dek == ""


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Tue, 05 Mar 2024 11:45:00 EST", datetime.datetime(2024, 3, 5, 16, 45, tzinfo=UTC)),
        ("5 Mar 2024 06:00 +0100", datetime.datetime(2024, 3, 5, 5, 0, tzinfo=UTC)),
        ("Tue, 5 Mar 24 06:00:00 GMT", datetime.datetime(2024, 3, 5, 6, 0, tzinfo=UTC)),
        ("Tue, 05 Mar 2024 06:00:00 -0000", datetime.datetime(2024, 3, 5, 6, 0, tzinfo=UTC)),
        ("Tue, 05 Mar 2024 06:00:00 PDT", datetime.datetime(2024, 3, 5, 13, 0, tzinfo=UTC)),
        ("2024-03-05T06:00:00Z", datetime.datetime(2024, 3, 5, 6, 0, tzinfo=UTC)),
        ("2024-03-05T06:00:00.123+05:30", datetime.datetime(2024, 3, 5, 0, 30, 0, 123000, tzinfo=UTC)),
        ("2024-03-05 06:00:00", datetime.datetime(2024, 3, 5, 6, 0, tzinfo=UTC)),
        ("March 5, 2024 6:00 AM CET", datetime.datetime(2024, 3, 5, 5, 0, tzinfo=UTC)),
    ],
)
def test_dates_are_read_in_the_formats_real_feeds_use(tmp_path, text, expected):
    path = tmp_path / "feed.rss"
    path.write_text(
        f"<rss><channel><item><guid>g</guid><title>T</title><pubDate>{text}</pubDate></item></channel></rss>"
    )

    (item,) = rss.read(path)

    assert item.published_at == expected


def test_the_author_element_gives_the_name_in_parentheses_and_an_image_enclosure_the_lead_image():
    item = read("feed.xml")[1]

    assert [a.name for a in item.authors] == ["Dana Cho"]
    assert item.external_id == "https://metro.example.com/weather-sun"  # no guid: the link
    assert item.lead_image == {
        "url": "https://metro.example.com/img/sun.png",
        "alt": "",
        "caption": "",
        "credit": "",
    }


def test_media_content_becomes_the_lead_image_with_alt_caption_and_credit():
    assert read("feed.xml")[0].lead_image == {
        "url": "https://metro.example.com/img/trains.jpg",
        "alt": "Commuters boarding a train",
        "caption": "Commuters at Central Station on Tuesday.",
        "credit": "Kim Lee",
    }


def test_missing_optional_fields_are_empty_and_bad_items_fail_with_their_line():
    results = read("feed.xml")

    bare = results[2]
    assert (bare.published_at, bare.authors, bare.tags, bare.lead_image) == (None, [], [], None)
    assert [(f.line, f.reason) for f in results if isinstance(f, Failure)] == [
        (44, "invalid date 'Tuesday-ish'"),
        (49, "no external id"),
    ]


def test_an_atom_entry_maps_id_authors_categories_xhtml_content_and_dates():
    entry, bare = read("atom.xml")

    assert entry == Record(
        external_id="tag:science.example.org,2024:comet-12p",
        headline="Comet visible tonight",  # type="html" title, markup removed
        line=7,
        body_html="<p>The comet 12P is <strong>visible</strong> to the naked eye.</p>"
        "<p>Best after 8 p.m.</p>",
        dek="Look north-west after sunset.",
        authors=entry.authors,
        tags=["Astronomy", "comets"],  # the label when there is one, else the term
        published_at=datetime.datetime(2024, 3, 6, 5, 30, tzinfo=UTC),
        updated_at=datetime.datetime(2024, 3, 6, 8, 0, tzinfo=UTC),
        canonical_url="https://science.example.org/comet",
        lead_image={"url": "https://science.example.org/comet.jpg", "alt": "", "caption": "", "credit": ""},
    )
    assert [a.name for a in entry.authors] == ["Priya Natarajan", "Tom Berg"]
    assert bare.published_at == bare.updated_at == datetime.datetime(2024, 3, 6, 10, 0, tzinfo=UTC)
    assert bare.body_html == "<p>Short &amp; sweet.</p>"  # escaped HTML summary as the body


def test_feeds_in_other_declared_encodings_are_decoded():
    (item,) = read("latin1.xml")

    assert item.headline == "Élections : la région vote — résultats"
    assert item.body_html == "<p>Les bureaux ferment à 20h.</p>"
    assert item.tags == ["Politique"]


def test_a_date_with_a_time_zone_name_nobody_knows_is_an_error_not_utc(tmp_path):
    path = tmp_path / "feed.rss"
    path.write_text(
        "<rss><channel><item><guid>g</guid><title>T</title>"
        "<pubDate>Tue, 05 Mar 2024 06:00 XYZ</pubDate></item></channel></rss>"
    )

    (failure,) = rss.read(path)

    assert failure == Failure(1, "unknown time zone in date 'Tue, 05 Mar 2024 06:00 XYZ'")


def test_bytes_that_are_not_utf_8_stop_the_file_at_their_line_after_the_items_before(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes(
        b"<rss><channel>\n<item><guid>1</guid><title>Fine</title></item>\n"
        b"<item><guid>2</guid><title>Caf\xe9</title></item>\n</channel></rss>\n"
    )
    items = rss.read(path)

    assert next(items).headline == "Fine"
    with pytest.raises(InvalidInput) as error:
        next(items)
    assert error.value.line == 3
    assert error.value.reason.startswith(
        "not well-formed XML: Invalid bytes in character encoding (the bytes do"
    )


def big_feed(encoding: str, bad_title: bytes) -> tuple[bytes, int]:
    """A feed declared in `encoding` with 200 good items (over 100 KB) on each side of one bad one."""
    good = "".join(
        f"<item><guid>g{i}</guid><title>Council meeting, item {i}</title>"
        f"<description>{'The council met on Tuesday to discuss the budget. ' * 9}</description></item>\n"
        for i in range(200)
    ).encode()
    head = f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>\n'.encode()
    bad = b"<item><guid>bad</guid><title>" + bad_title + b"</title></item>\n"
    data = head + good + bad + good.replace(b"<guid>g", b"<guid>h") + b"</channel></rss>\n"
    return data, data[: data.index(b"<guid>bad")].count(b"\n") + 1


@pytest.mark.parametrize(
    "encoding, bad_title",
    [
        ("UTF-8", b"Caf\xe9 reopens"),  # a latin-1 byte in a UTF-8 feed
        ("windows-1252", b"Caf\x81 reopens"),  # 0x81 is undefined in windows-1252
        ("utf-8", b"Caf\xc3"),  # a UTF-8 sequence cut short
    ],
)
def test_a_bad_byte_deep_in_a_large_feed_stops_it_at_its_own_line_after_every_item_before(
    tmp_path, encoding, bad_title
):
    data, bad_line = big_feed(encoding, bad_title)
    assert data.index(b"<guid>bad") > 100_000
    path = tmp_path / "feed.xml"
    path.write_bytes(data)
    read_so_far = []

    with pytest.raises(InvalidInput) as error:
        for item in rss.read(path):
            read_so_far.append(item)

    assert [item.external_id for item in read_so_far] == [f"g{i}" for i in range(200)]
    assert error.value.line == bad_line
    assert error.value.reason == (
        "not well-formed XML: Invalid bytes in character encoding (the bytes do not match the declared "
        "encoding; UTF-8 unless the XML declaration names another)"
    )


def test_utf_8_text_in_a_feed_declared_iso_8859_1_reads_as_latin_1_because_every_byte_is_valid(tmp_path):
    # No reader can tell: every byte is a latin-1 character. The headline shows the mojibake an editor
    # would see, rather than the feed failing.
    data, _ = big_feed("ISO-8859-1", "Café reopens".encode())
    path = tmp_path / "feed.xml"
    path.write_bytes(data)

    items = list(rss.read(path))

    assert len(items) == 401
    assert items[200].headline == "CafÃ© reopens"
