"""The rss import format: RSS 2.0 and Atom feeds, streamed item by item."""

import datetime
from pathlib import Path

import pytest

from articles.models import Article
from ingest.importers import FORMATS, Deferred, Failure, InvalidInput, NoItems, Record, rss
from tests.ingest.import_helpers import import_articles, write

FIXTURES = Path(__file__).parent.parent / "fixtures" / "rss"
UTC = datetime.UTC


def read(name):
    return list(rss.read(FIXTURES / name))


def test_rss_is_registered_and_recognises_rss_and_atom_but_not_wordpress_exports():
    assert FORMATS["rss"] == "ingest.importers.rss"
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


# --- no silent zero -----------------------------------------------------------------------------------

EMPTY_FEEDS = {
    "empty.rss": (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>',
        "feed has no items",
    ),
    "empty.rdf": (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">'
        "<channel><title>Quiet</title></channel></rdf:RDF>",
        "feed has no items",
    ),
    "empty.atom": (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Quiet</title></feed>',
        "feed has no entries",
    ),
}


@pytest.mark.parametrize("name", sorted(EMPTY_FEEDS))
def test_a_feed_without_items_says_why_in_read_and_read_deferred(tmp_path, name):
    text, reason = EMPTY_FEEDS[name]
    path = write(tmp_path / name, text)

    assert list(rss.read(path)) == list(rss.read_deferred(path)) == [NoItems(reason)]


@pytest.mark.django_db
@pytest.mark.parametrize("deferred", [True, False], ids=["read_deferred", "read"])
@pytest.mark.parametrize("name", sorted(EMPTY_FEEDS))
def test_the_command_prints_why_a_feed_gave_no_articles(tmp_path, monkeypatch, name, deferred):
    text, reason = EMPTY_FEEDS[name]
    path = write(tmp_path / name, text)
    if not deferred:
        monkeypatch.delattr(rss, "read_deferred")  # the command falls back to read()

    result = import_articles(path, format="rss")

    assert result.code == 0, result.errors
    assert f"{path}: 0 items: {reason}" in result.out
    assert result.summary == "created 0, updated 0, unchanged 0, failed 0"


# --- xml:base and relative links ------------------------------------------------------------------------


def test_atom_relative_links_resolve_against_xml_base_of_the_feed_entry_and_content(tmp_path):
    path = write(
        tmp_path / "base.atom",
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example.org/blog/">'
        '<link href="https://elsewhere.example.org/"/>'
        '<entry><id>1</id><title>Feed base</title><link href="/2024/05/story"/>'
        '<content type="html">&lt;img src="img/a.jpg"&gt; '
        '&lt;a href="../about"&gt;us&lt;/a&gt;</content></entry>'
        '<entry xml:base="sports/"><id>2</id><title>Entry base</title><link href="final"/>'
        '<content type="html" xml:base="https://cdn.example.org/m/">&lt;img src="b.png"&gt;</content></entry>'
        "</feed>",
    )

    first, second = rss.read(path)

    assert first.canonical_url == "https://news.example.org/2024/05/story"
    assert first.body_html == (
        '<p><img src="https://news.example.org/blog/img/a.jpg"> '
        '<a href="https://news.example.org/about" rel="noopener noreferrer">us</a></p>'
    )
    assert second.canonical_url == "https://news.example.org/blog/sports/final"
    assert second.body_html == '<p><img src="https://cdn.example.org/m/b.png"></p>'
    assert [d.build() for d in rss.read_deferred(path)] == [first, second]


def test_rss_relative_links_resolve_against_the_channel_link_even_after_the_first_item(tmp_path):
    path = write(
        tmp_path / "relative.rss",
        "<rss><channel><link>https://paper.example.com/news/</link>"
        "<item><title>One</title><link>/2024/05/one</link>"
        '<description>&lt;a href="two"&gt;next&lt;/a&gt; '
        '&lt;a href="#top"&gt;top&lt;/a&gt;</description></item>'
        "<item><title>Two</title><link>2024/05/two</link>"
        '<enclosure url="/img/two.jpg" type="image/jpeg" length="1"/></item>'
        "</channel></rss>",
    )

    one, two = rss.read(path)

    assert (one.external_id, one.canonical_url) == ("https://paper.example.com/2024/05/one",) * 2
    assert 'href="https://paper.example.com/news/two"' in one.body_html and 'href="#top"' in one.body_html
    assert two.canonical_url == "https://paper.example.com/news/2024/05/two"  # the channel is gone by then
    assert two.lead_image["url"] == "https://paper.example.com/img/two.jpg"
    assert [d.build() for d in rss.read_deferred(path)] == [one, two]


def test_a_link_that_stays_relative_is_no_canonical_url(tmp_path):
    path = write(
        tmp_path / "nobase.rss",
        "<rss><channel><item><guid>g</guid><title>T</title><link>/2024/05/story</link></item></channel></rss>",
    )

    (item,) = rss.read(path)

    assert item.canonical_url == ""


def test_a_permalink_guid_is_the_canonical_url_when_there_is_no_link(tmp_path):
    path = write(
        tmp_path / "guid.rss",
        "<rss><channel><item><guid>https://x.example/a</guid><title>A</title></item>"
        '<item><guid isPermaLink="false">https://x.example/b</guid><title>B</title></item></channel></rss>',
    )

    a, b = rss.read(path)

    assert (a.canonical_url, b.canonical_url) == ("https://x.example/a", "")


# --- namespaces: by URI, never by prefix ----------------------------------------------------------------


def test_a_non_ascii_namespace_uri_is_read_and_its_elements_are_not_the_items_own(tmp_path):
    path = write(
        tmp_path / "iri.rss",
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:ext="http://例え.jp/ns/ñ">'
        "<channel><item><ext:title>Not this</ext:title><title>Réal</title><guid>1</guid>"
        "<ext:category>nope</ext:category><category>Yes</category></item></channel></rss>",
    )

    items = list(rss.read(path))

    assert [(i.headline, i.tags) for i in items] == [("Réal", ["Yes"])]
    assert [d.build() for d in rss.read_deferred(path)] == items


def test_known_namespaces_are_found_under_any_prefix(tmp_path):
    path = write(
        tmp_path / "prefixes.rss",
        '<rss version="2.0" xmlns:dublin="http://purl.org/dc/elements/1.1/"'
        ' xmlns:c="http://purl.org/rss/1.0/modules/content/" xmlns:mrss="http://search.yahoo.com/mrss/">'
        "<channel><item><guid>1</guid><title>T</title><description>Dek</description>"
        "<c:encoded>&lt;p&gt;Body&lt;/p&gt;</c:encoded><dublin:creator>Ana Ruiz</dublin:creator>"
        "<dublin:date>2024-05-01T10:00:00Z</dublin:date><dublin:subject>Health</dublin:subject>"
        '<mrss:content url="https://x.example/a.jpg" medium="image">'
        "<mrss:title>Alt</mrss:title></mrss:content>"
        "</item></channel></rss>",
    )

    (item,) = rss.read(path)

    assert (item.body_html, item.dek, [a.name for a in item.authors], item.tags) == (
        "<p>Body</p>",
        "Dek",
        ["Ana Ruiz"],
        ["Health"],
    )
    assert item.published_at == datetime.datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert item.lead_image["alt"] == "Alt"


def test_elements_of_other_namespaces_with_the_same_local_names_are_ignored(tmp_path):
    path = write(
        tmp_path / "lookalikes.rss",
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom"'
        ' xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
        "<channel><item><media:title>Photo title</media:title><title>Story</title>"
        '<atom:link rel="self" href="https://x.example/self"/><link>https://x.example/story</link>'
        "<media:description>Caption</media:description><description>Text</description>"
        '<itunes:category text="News"/><itunes:author>Pod Host</itunes:author><author>Desk</author>'
        "<guid>1</guid></item></channel></rss>",
    )

    (item,) = rss.read(path)

    assert (item.headline, item.canonical_url, item.body_html) == (
        "Story",
        "https://x.example/story",
        "<p>Text</p>",
    )
    assert (item.tags, [a.name for a in item.authors]) == ([], ["Desk"])


@pytest.mark.parametrize("prefix", ["", "atom:"])
def test_atom_in_the_default_namespace_or_prefixed(tmp_path, prefix):
    declaration = f'xmlns{":" + prefix[:-1] if prefix else ""}="http://www.w3.org/2005/Atom"'
    p = prefix
    path = write(
        tmp_path / "feed.atom",
        f'<{p}feed {declaration} xmlns:media="http://search.yahoo.com/mrss/"><{p}entry><{p}id>e1</{p}id>'
        f'<{p}title>Entry</{p}title><media:content url="https://x.example/i.jpg" medium="image"/>'
        f"<{p}summary>Sum</{p}summary><{p}author><{p}name>Kai</{p}name></{p}author>"
        f"<{p}updated>2024-05-01T10:00:00Z</{p}updated></{p}entry></{p}feed>",
    )
    assert rss.sniff(path.read_bytes())

    (entry,) = rss.read(path)

    assert (entry.external_id, entry.headline, entry.body_html, [a.name for a in entry.authors]) == (
        "e1",
        "Entry",
        "<p>Sum</p>",
        ["Kai"],
    )
    assert entry.lead_image["url"] == "https://x.example/i.jpg"  # media:content, not atom:content


@pytest.mark.parametrize(
    "feed",
    [
        '<rss version="0.91"><channel><item><title>T</title><link>https://x.example/1</link>'
        "<description>D</description></item></channel></rss>",
        '<rss version="0.92"><channel><item><title>T</title><link>https://x.example/1</link>'
        "<description>D</description></item></channel></rss>",
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">'
        '<channel rdf:about="https://x.example/"><title>C</title></channel>'
        '<item rdf:about="https://x.example/1"><title>T</title><description>D</description></item></rdf:RDF>',
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>C</title></channel>'
        "<item><title>T</title><link>https://x.example/1</link><description>D</description></item></rdf:RDF>",
        '<rss version="2.0" xmlns="http://backend.userland.com/rss2"><channel><item><title>T</title>'
        "<link>https://x.example/1</link><description>D</description></item></channel></rss>",
        '<feed xmlns="http://purl.org/atom/ns#" version="0.3"><entry><title>T</title>'
        '<link rel="alternate" type="text/html" href="https://x.example/1"/><id>https://x.example/1</id>'
        '<content type="text/html" mode="escaped">&lt;p&gt;D&lt;/p&gt;</content></entry></feed>',
    ],
    ids=["rss091", "rss092", "rss10", "rss090", "rss20-userland-ns", "atom03"],
)
def test_every_rss_dialect_and_atom_0_3_give_the_same_record(tmp_path, feed):
    path = write(tmp_path / "feed.xml", feed)
    assert rss.sniff(path.read_bytes())

    (item,) = rss.read(path)

    assert (item.external_id, item.headline, item.body_html, item.canonical_url) == (
        "https://x.example/1",
        "T",
        "<p>D</p>",
        "https://x.example/1",
    )


def test_a_podcast_item_without_a_body_takes_its_itunes_summary_and_author(tmp_path):
    path = write(
        tmp_path / "podcast.rss",
        '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
        "<item><title>Episode 12</title><guid>ep12</guid><itunes:author>Host Name</itunes:author>"
        "<itunes:summary>We talk budgets.</itunes:summary>"
        '<enclosure url="https://x.example/ep12.mp3" type="audio/mpeg" length="1"/></item>'
        "</channel></rss>",
    )

    (item,) = rss.read(path)

    assert (item.body_html, [a.name for a in item.authors], item.lead_image) == (
        "<p>We talk budgets.</p>",
        ["Host Name"],
        None,
    )


def test_an_item_with_only_a_title_or_only_a_description_imports(tmp_path):
    long = "A very long opening sentence that goes on " + "and on " * 20 + "until it ends. Second one."
    path = write(
        tmp_path / "either.rss",
        "<rss><channel><item><guid>1</guid><title>Only a title</title></item>"
        "<item><guid>2</guid><description>Short news flash. More text here.</description></item>"
        f"<item><guid>3</guid><description>{long}</description></item></channel></rss>",
    )

    title_only, flash, long_one = rss.read(path)

    assert (title_only.headline, title_only.body_html) == ("Only a title", "")
    assert (flash.headline, flash.body_html) == (
        "Short news flash.",
        "<p>Short news flash. More text here.</p>",
    )
    assert long_one.headline.endswith(" on…") and len(long_one.headline) <= 121  # cut at a word


# --- the real-shaped corpus: one file per producer's shape ----------------------------------------------

REALWORLD = FIXTURES.parent / "realworld" / "rss"


def real(name):
    return list(rss.read(REALWORLD / name))


def test_read_deferred_builds_exactly_what_read_gives_for_the_whole_corpus():
    for path in sorted(REALWORLD.glob("*.xml")):
        built = [item.build() if isinstance(item, Deferred) else item for item in rss.read_deferred(path)]
        assert built == list(rss.read(path)), path.name


def test_an_untitled_blogger_post_is_headed_by_its_first_sentence():
    untitled = real("blogger_atom_single_quotes.xml")[1]

    assert untitled.headline == "Quick note: the library is closed on Friday."


def test_media_content_without_a_type_is_an_image_by_its_path_and_the_widest_one_wins():
    floods = real("guardian_rss20_dc_date.xml")[0]

    assert floods.lead_image["url"].startswith(
        "https://i.guim.example/img/media/abc/master/3000.jpg?width=460"
    )
    assert floods.lead_image["credit"] == "Photograph: Anjum Naveed/AP"


def test_odd_prefixes_and_non_ascii_namespaces_in_a_ghost_feed():
    ferry, _ = real("ghost_rss20_odd_prefixes.xml")

    assert (ferry.headline, ferry.tags, [a.name for a in ferry.authors]) == (
        "Ferry timetable changes from June",
        ["Transport"],
        ["Maeve Ó Súilleabháin"],
    )
    assert '<a href="https://harbourherald.example/timetables/"' in ferry.body_html
    assert ferry.lead_image["url"] == "https://harbourherald.example/content/images/2024/05/ferry.jpg"


def test_wordpress_atom_relative_links_resolve_through_nested_xml_base():
    dredging, regatta = real("wordpress_atom_xml_base_relative.xml")

    assert dredging.canonical_url == "https://riverside.example/2024/05/14/dredging-starts/"
    assert '<img src="https://riverside.example/2024/05/14/dredging-starts/map.png"' in dredging.body_html
    assert regatta.canonical_url == "https://riverside.example/sport/2024/05/13/regatta-results/"


def test_rss_0_91_in_windows_1252_with_a_doctype_and_an_item_without_title():
    closures, fair, log = real("userland_rss091_doctype.xml")

    assert closures.body_html == "<p>Route 9 closes Saturday for paving — detours posted.</p>"
    assert fair.headline == "Fair opens Friday at noon."
    assert (log.headline, log.body_html) == ("Sheriff's weekly log", "")


def test_atom_0_3_uses_issued_and_modified_and_escaped_or_xml_content():
    square, bakery = real("typepad_atom03_legacy.xml")

    assert square.published_at == datetime.datetime(2024, 5, 14, 13, 30, tzinfo=UTC)
    assert square.updated_at == datetime.datetime(2024, 5, 14, 13, 35, tzinfo=UTC)
    assert '<img src="https://oldtown.typepad.example/diary/photos/square.jpg"' in square.body_html
    assert bakery.body_html == "<p>The <strong>corner bakery</strong> took first place.</p>"


# --- the corpus through the command -----------------------------------------------------------------------

# What an editor counts as a text item in each file (an item with neither title nor text is not one)
TEXT_ITEMS = {
    "aggregator_rss20_bad_date_blank_item.xml": 2,
    "ap_atom_xhtml_default_ns.xml": 2,
    "bbc_rss20_media_thumbnail.xml": 3,
    "blogger_atom_single_quotes.xml": 2,
    "ghost_rss20_odd_prefixes.xml": 2,
    "guardian_rss20_dc_date.xml": 2,
    "medium_rss20_atom_updated.xml": 2,
    "npr_rss20_content_encoded.xml": 2,
    "nyt_rss20_dc_media_content.xml": 3,
    "podcast_itunes_no_body.xml": 3,
    "slashcode_rss10_rdf.xml": 2,
    "substack_rss20_enclosure_image.xml": 2,
    "typepad_atom03_legacy.xml": 2,
    "userland_rss091_doctype.xml": 3,
    "wordpress_atom_xml_base_relative.xml": 2,
}


@pytest.mark.django_db
def test_the_corpus_imports_nearly_every_text_item_and_reports_every_other_one():
    result = import_articles(REALWORLD, status="published")

    created = Article.objects.count()
    assert created >= 0.95 * sum(TEXT_ITEMS.values())
    assert result.summary == "created 33, updated 0, unchanged 0, failed 2"
    aggregator = REALWORLD / "aggregator_rss20_bad_date_blank_item.xml"
    assert result.errors == [
        f"{aggregator}:15: invalid date 'Tuesday, 14 May 2024 around 9'",
        f"{aggregator}:22: no headline",
        "CommandError: 2 failed to import (see the messages above)",
    ]
    assert f"{REALWORLD / 'empty_atom_feed.xml'}: 0 items: feed has no entries" in result.out
    assert f"{REALWORLD / 'empty_channel_no_items.xml'}: 0 items: feed has no items" in result.out


def test_a_real_error_after_a_non_ascii_namespace_uri_still_stops_the_file_with_its_own_reason(tmp_path):
    path = write(
        tmp_path / "iri-broken.rss",
        '<rss xmlns:ext="http://例え.jp/ns">\n<channel>\n<item><guid>1</guid><title>Fine</title></item>\n'
        "<item><guid>2</guid><title>Broken</titel></item>\n</channel></rss>\n",
    )
    items = rss.read(path)

    assert next(items).headline == "Fine"
    with pytest.raises(InvalidInput) as error:
        next(items)
    assert error.value.line == 4
    assert "not a valid URI" not in error.value.reason
    assert error.value.reason.startswith("not well-formed XML: ")


def test_without_xml_base_atom_entries_resolve_against_the_feeds_alternate_link(tmp_path):
    path = write(
        tmp_path / "feedlink.atom",
        '<feed xmlns="http://www.w3.org/2005/Atom"><link rel="alternate" href="https://site.example/news/"/>'
        '<entry><id>1</id><title>T</title><link href="2024/one"/></entry></feed>',
    )

    (entry,) = rss.read(path)

    assert entry.canonical_url == "https://site.example/news/2024/one"


def test_an_item_with_non_ascii_prefixes_is_built_again_from_its_bytes_as_it_was_read(tmp_path):
    # The command builds a changed item later, from its serialized bytes: written as ASCII, lxml turned
    # the prefix into character references that no parser reads back ("no external id").
    path = write(
        tmp_path / "prefix.rss",
        '<rss version="2.0" xmlns:本文="http://purl.org/rss/1.0/modules/content/"><channel><item><guid>1</guid>'
        "<title>Titre été</title><本文:encoded>&lt;p&gt;Corps&lt;/p&gt;</本文:encoded>"
        "</item></channel></rss>",
    )
    (item,) = rss.read_deferred(path)  # read to the end: the element is gone, build() parses the bytes

    assert item.build() == list(rss.read(path))[0]
    assert (item.build().headline, item.build().body_html) == ("Titre été", "<p>Corps</p>")


def test_a_root_with_an_undeclared_prefix_fails_the_file_not_the_reader(tmp_path):
    path = write(
        tmp_path / "undeclared.rdf",
        '<rdf:RDF xmlns="http://purl.org/rss/1.0/"><item><title>T</title><link>https://x.example/1</link></item>'
        "</rdf:RDF>",
    )

    with pytest.raises(InvalidInput) as error:
        list(rss.read(path))
    assert error.value.reason == "not well-formed XML: Namespace prefix rdf on RDF is not defined"
