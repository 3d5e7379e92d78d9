"""The jsonfeed import format: JSON Feed 1.0 and 1.1 documents."""

import datetime
import json

import pytest

from articles.models import Article
from ingest.importers import (
    FORMATS,
    Deferred,
    Failure,
    InvalidInput,
    NoItems,
    Record,
    detect_format,
    jsonfeed,
)
from tests.ingest.import_helpers import FIXTURES, import_articles, write

REALWORLD = FIXTURES / "realworld" / "jsonfeed"
UTC = datetime.UTC
V11 = "https://jsonfeed.org/version/1.1"


def feed(tmp_path, items, name="feed.json", **fields):
    return write(
        tmp_path / name, json.dumps({"version": V11, "title": "T", **fields, "items": items}, indent=2)
    )


def real(name):
    return list(jsonfeed.read(REALWORLD / name))


def test_jsonfeed_is_registered_and_detected_by_extension_and_by_content(tmp_path):
    assert FORMATS["jsonfeed"] == "ingest.importers.jsonfeed"
    assert detect_format(REALWORLD / "jsonfeed_org_spec_1_1.json") == "jsonfeed"
    # content decides when the extension says nothing: a JSON Feed is not JSON Lines, though both start "{"
    assert detect_format(
        write(tmp_path / "feed.txt", (REALWORLD / "jsonfeed_org_spec_1_1.json").read_text())
    ) == ("jsonfeed")
    assert detect_format(write(tmp_path / "export.txt", '{"external_id": "1", "headline": "H"}\n')) == "jsonl"


def test_an_item_maps_id_title_summary_html_authors_tags_dates_url_and_image(tmp_path):
    path = feed(
        tmp_path,
        [
            {
                "id": "https://example.org/2024/05/14/storm",
                "url": "https://example.org/2024/05/14/storm",
                "title": "Storm &amp; flood warning",
                "summary": "Rain all night.",
                "content_html": "<p>Rain all night. <a href='/maps/'>Maps</a></p><script>x()</script>",
                "date_published": "2024-05-14T07:30:00+02:00",
                "date_modified": "2024-05-14T09:00:00Z",
                "authors": [{"name": "Ana Ruiz"}, {"name": "Tom Lee", "url": "https://example.org/tom"}],
                "tags": ["Weather", "weather", "Floods"],
                "image": "/img/storm.jpg",
            }
        ],
    )

    [record] = jsonfeed.read(path)

    assert record == Record(
        external_id="https://example.org/2024/05/14/storm",
        headline="Storm & flood warning",
        line=5,
        body_html=(
            '<p>Rain all night. <a href="https://example.org/maps/" rel="noopener noreferrer">Maps</a></p>'
        ),
        dek="Rain all night.",
        authors=[jsonfeed.AuthorRef("Ana Ruiz"), jsonfeed.AuthorRef("Tom Lee")],
        tags=["Weather", "Floods"],
        published_at=datetime.datetime(2024, 5, 14, 5, 30, tzinfo=UTC),
        updated_at=datetime.datetime(2024, 5, 14, 9, 0, tzinfo=UTC),
        canonical_url="https://example.org/2024/05/14/storm",
        lead_image={"url": "https://example.org/img/storm.jpg", "alt": ""},
    )
    assert record.body_sanitized


def test_numeric_ids_are_taken_as_strings_as_the_spec_asks_and_a_missing_id_falls_back_to_the_url(tmp_path):
    path = feed(
        tmp_path,
        [
            {"id": 1254889014, "title": "A", "content_text": "a"},
            {"id": 12.0, "title": "B", "content_text": "b"},
            {"url": "https://example.org/c", "title": "C", "content_text": "c"},
            {"title": "D", "content_text": "d"},
        ],
    )

    a, b, c, d = jsonfeed.read(path)

    assert (a.external_id, b.external_id, c.external_id) == ("1254889014", "12", "https://example.org/c")
    assert d == Failure(d.line, "no external id")


def test_content_text_becomes_escaped_paragraphs_and_a_summary_alone_is_the_body_not_a_dek(tmp_path):
    path = feed(
        tmp_path,
        [
            {"id": "1", "title": "T", "content_text": "One <two> & three.\n\nFour\nfive."},
            {"id": "2", "title": "T", "summary": "<p>Only a summary.</p>"},
        ],
    )

    text, summary_only = jsonfeed.read(path)

    assert text.body_html == "<p>One &lt;two&gt; &amp; three.</p><p>Four<br>five.</p>"
    assert (summary_only.body_html, summary_only.dek) == ("<p>Only a summary.</p>", "")


def test_an_untitled_post_is_headed_by_its_first_sentence():
    ferry = real("microblog_jsonfeed10_untitled_posts.json")[0]

    assert ferry.headline == "The 7:40 ferry is delayed by fog."


def test_authors_come_from_1_1_authors_else_1_0_author_else_the_feeds_own(tmp_path):
    path = feed(
        tmp_path,
        [
            {"id": "1", "title": "T", "content_text": "x", "authors": [{"name": "By Sam Patel and Jo Lee"}]},
            {"id": "2", "title": "T", "content_text": "x", "author": {"name": "Dee Carter"}},
            {"id": "3", "title": "T", "content_text": "x"},
            {"id": "4", "title": "T", "content_text": "x", "authors": [{"url": "https://example.org/anon"}]},
        ],
        authors=[{"name": "The Desk"}],
    )

    names = [[author.name for author in record.authors] for record in jsonfeed.read(path)]

    assert names == [["Sam Patel", "Jo Lee"], ["Dee Carter"], ["The Desk"], ["The Desk"]]


def test_the_lead_image_is_image_else_banner_image_else_an_image_attachment():
    episode, audio_only = real("podcast_jsonfeed11_attachments.json")
    dredging, _ = real("wordpress_plugin_jsonfeed10_bom_crlf.json")

    assert episode.lead_image == {
        "url": "https://cdn.briefing.example/art/2024-05-14.png",
        "alt": "Episode artwork",
    }
    assert audio_only.lead_image is None
    assert dredging.lead_image["url"] == "https://riverside.example/wp-content/uploads/2024/05/dredger.jpg"


def test_relative_links_resolve_against_the_item_url_and_the_url_against_the_home_page(tmp_path):
    path = feed(
        tmp_path,
        [
            {
                "id": "1",
                "url": "2024/05/14/ferry",
                "title": "T",
                "content_html": '<img src="ferry.jpg" alt="">',
            }
        ],
        home_page_url="https://example.org/news/",
    )

    [record] = jsonfeed.read(path)

    assert record.canonical_url == "https://example.org/news/2024/05/14/ferry"
    assert record.body_html == '<p><img src="https://example.org/news/2024/05/14/ferry.jpg" alt=""></p>'


def test_a_link_post_is_not_canonical_at_the_page_it_links_to():
    sponsor = real("linkblog_jsonfeed10_external_url.json")[2]

    assert (sponsor.headline, sponsor.canonical_url) == ("Sponsor: Field Notes", "")


def test_each_item_reports_the_line_its_object_starts_on_in_pretty_and_minified_files(tmp_path):
    pretty = [item.line for item in real("jsonfeed_org_spec_1_1.json")]
    minified = [item.line for item in real("broadcaster_jsonfeed11_numeric_ids.json")]
    repeated = write(tmp_path / "twice.json", '{"items": [1],\n "items":\n [\n {"id": "a", "title": "A"}]}')

    assert pretty == [9, 14]
    assert minified == [1, 1, 1, 1]
    assert [item.line for item in jsonfeed.read(repeated)] == [4]  # json keeps the last "items"


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ("just a string", "item is not an object but a string"),
        ({"id": "1", "title": ["a"]}, "'title' must be a string, not an array"),
        ({"id": "1", "title": "T", "tags": "news"}, "'tags' must be an array of strings"),
        ({"id": "1", "title": "T", "authors": {"name": "A"}}, "'authors' must be an array, not an object"),
        (
            {"id": "1", "title": "T", "date_published": "last Tuesday"},
            "date_published: invalid date 'last Tuesday'",
        ),
        (
            {"id": "1", "title": "T", "content_text": "a \ud800 b"},
            "invalid text: a lone UTF-16 surrogate (\\ud800)",
        ),
        ({"id": "1", "content_html": ""}, "no headline"),
    ],
)
def test_a_bad_item_fails_with_its_line_and_reason_and_the_next_is_read(tmp_path, item, reason):
    path = feed(tmp_path, [item, {"id": "2", "title": "Fine", "content_text": "ok"}])

    failure, fine = jsonfeed.read(path)

    assert isinstance(failure, Failure) and failure.line == 5
    assert failure.reason.startswith(reason)
    assert fine.headline == "Fine"


@pytest.mark.parametrize(
    ("content", "reason", "line"),
    [
        (b'{"version": "https://jsonfeed.org/version/1.1",\n "items": [\n {"id": 1,}]}', "invalid JSON:", 3),
        (b'{"items": [{"title": "caf\xe9"}]}', "not UTF-8 (JSON Feed requires it): byte 0xe9", 1),
        (b'[{"id": "1"}]', "not a JSON Feed: expected an object, found an array", None),
        (b'{"version": "https://example.org/v2", "items": []}', "not a JSON Feed: version is", None),
        (b'{"version": "https://jsonfeed.org/version/1"}', "JSON Feed has no 'items'", None),
        (b'{"title": "no version, no items"}', "not a JSON Feed: no 'items'", None),
        (b'{"version": "https://jsonfeed.org/version/1", "items": {}}', "'items' must be an array", None),
        (b"[" * 100_000, "invalid JSON", None),
    ],
)
def test_a_file_that_is_not_a_json_feed_is_refused_whole_with_why(tmp_path, content, reason, line):
    path = write(tmp_path / "bad.json", content)

    with pytest.raises(InvalidInput) as raised:
        list(jsonfeed.read(path))

    assert raised.value.reason.startswith(reason)
    assert raised.value.line == line


def test_an_empty_feed_says_so_in_read_and_read_deferred():
    path = REALWORLD / "empty_feed.json"

    assert list(jsonfeed.read(path)) == list(jsonfeed.read_deferred(path)) == [NoItems("feed has no items")]


def test_read_deferred_builds_exactly_what_read_gives_for_the_whole_corpus():
    for path in sorted(REALWORLD.glob("*.json")):
        built = [
            item.build() if isinstance(item, Deferred) else item for item in jsonfeed.read_deferred(path)
        ]
        assert built == list(jsonfeed.read(path)), path.name


def test_the_fingerprint_changes_with_the_item_and_with_the_feed_authors_it_inherits(tmp_path):
    items = [{"id": "1", "title": "T", "content_text": "x"}]
    digests = [
        next(jsonfeed.read_deferred(feed(tmp_path, items, authors=[{"name": "A"}]))).digest,
        next(jsonfeed.read_deferred(feed(tmp_path, items, authors=[{"name": "B"}]))).digest,
        next(
            jsonfeed.read_deferred(feed(tmp_path, [{**items[0], "title": "U"}], authors=[{"name": "B"}]))
        ).digest,
        next(jsonfeed.read_deferred(feed(tmp_path, items, authors=[{"name": "A"}], title="Other"))).digest,
    ]

    assert len(set(digests[:3])) == 3
    assert digests[3] == digests[0]  # the feed's title is in no record


# --- through the command ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_corpus_imports_nearly_every_item_reports_the_other_and_says_why_a_feed_is_empty():
    result = import_articles(REALWORLD, status="published")

    items = sum(
        1
        for path in REALWORLD.glob("*.json")
        for item in jsonfeed.read(path)
        if not isinstance(item, NoItems)
    )
    assert Article.objects.count() == 19 >= 0.95 * items
    assert result.summary == "created 19, updated 0, unchanged 0, failed 1"
    notices = REALWORLD / "generator_no_version_rfc822_dates.json"
    assert result.errors == [
        f"{notices}:12: date_published: invalid date 'sometime next week'",
        "CommandError: 1 failed to import (see the messages above)",
    ]
    assert f"{REALWORLD / 'empty_feed.json'}: 0 items: feed has no items" in result.out
    reservoir = Article.objects.get(external_id="1254889014")
    assert (reservoir.source, reservoir.headline) == (
        "jsonfeed",
        "Reservoir levels are the highest in a decade",
    )
    assert sorted(reservoir.tags.names()) == ["Drought", "Environment", "Water"]


@pytest.mark.django_db
def test_a_second_import_of_the_same_feed_changes_nothing_and_an_edited_item_updates(tmp_path):
    items = [
        {"id": "1", "title": "Ferry delayed", "content_text": "Fog."},
        {"id": "2", "title": "B", "summary": "b"},
    ]
    path = feed(tmp_path, items)
    assert import_articles(path, format="jsonfeed").summary == "created 2, updated 0, unchanged 0, failed 0"
    assert import_articles(path).summary == "created 0, updated 0, unchanged 2, failed 0"

    items[0]["title"] = "Ferry cancelled"
    feed(tmp_path, items)

    assert import_articles(path).summary == "created 0, updated 1, unchanged 1, failed 0"
    assert Article.objects.get(external_id="1").headline == "Ferry cancelled"
