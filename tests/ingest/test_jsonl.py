"""The JSON Lines reader: what export writes comes back; every kind of bad line is a clear failure."""

import datetime
import json

import pytest

from ingest.importers import AuthorRef, Failure, InvalidInput, Record, detect_format, jsonl
from tests.ingest.import_helpers import write

GOOD = {
    "source": "wire",
    "external_id": "w-1",
    "headline": "Storm closes the port",
    "slug": "storm-closes-the-port",
    "dek": "Ferries cancelled",
    "body_html": "<p>Waves.</p>",
    "section": "Weather",
    "authors": [{"name": "Ana Diaz", "slug": "ana-diaz", "role": "reporting"}, {"name": "Bo Li"}],
    "tags": ["Storms", "Port of Dover"],
    "status": "published",
    "published_at": "2024-03-01T08:30:00+00:00",
    "updated_at": "2024-03-01T09:00:00+01:00",
    "canonical_url": "https://example.com/storm",
    "url": "http://127.0.0.1:8000/2024/03/01/storm-closes-the-port/",
}


def lines(*objects):
    return "\n".join(o if isinstance(o, str) else json.dumps(o) for o in objects) + "\n"


def read(tmp_path, content, name="in.jsonl"):
    return list(jsonl.read(write(tmp_path / name, content)))


def test_a_full_export_line_becomes_a_record(tmp_path):
    [record] = read(tmp_path, lines(GOOD))
    assert record == Record(
        line=1,
        source="wire",
        external_id="w-1",
        headline="Storm closes the port",
        slug="storm-closes-the-port",
        dek="Ferries cancelled",
        body_html="<p>Waves.</p>",
        section="Weather",
        authors=[AuthorRef("Ana Diaz", "ana-diaz", "reporting"), AuthorRef("Bo Li", "", "reporting")],
        tags=["Storms", "Port of Dover"],
        status="published",
        published_at=datetime.datetime(2024, 3, 1, 8, 30, tzinfo=datetime.UTC),
        updated_at=datetime.datetime(2024, 3, 1, 8, 0, tzinfo=datetime.UTC),
        canonical_url="https://example.com/storm",
    )


def test_only_external_id_and_headline_are_required_and_dates_without_offset_are_utc(tmp_path):
    [record] = read(
        tmp_path, lines({"external_id": "x", "headline": "H", "published_at": "2024-01-02T03:04:05"})
    )
    assert (record.external_id, record.headline, record.tags, record.authors) == ("x", "H", [], [])
    assert record.published_at == datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


def test_blank_lines_are_skipped_and_line_numbers_are_the_files(tmp_path):
    records = read(tmp_path, "\n" + lines(GOOD) + "\n\n" + lines({**GOOD, "external_id": "w-2"}))
    assert [r.line for r in records] == [2, 5]


def test_invalid_json_names_the_line_and_the_rest_is_read(tmp_path):
    items = read(tmp_path, lines(GOOD, '{"external_id": "w-2", "headline": ', {**GOOD, "external_id": "w-3"}))
    assert isinstance(items[0], Record) and isinstance(items[2], Record)
    assert items[1] == Failure(2, "invalid JSON: Expecting value (column 36)")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ({"headline": "H"}, "missing required field 'external_id'"),
        ({"external_id": "x"}, "missing required field 'headline'"),
        ({"external_id": "x", "headline": ""}, "missing required field 'headline'"),
        ({"external_id": 7, "headline": "H"}, "'external_id' must be a string, not a number"),
        ({"external_id": "x", "headline": ["H"]}, "'headline' must be a string, not a list"),
        ({"external_id": "x", "headline": "H", "tags": "a b"}, "'tags' must be a list of strings"),
        ({"external_id": "x", "headline": "H", "tags": ["a", 1]}, "'tags' must be a list of strings"),
        (
            {"external_id": "x", "headline": "H", "authors": {"name": "A"}},
            "'authors' must be a list, not an object",
        ),
        (
            {"external_id": "x", "headline": "H", "authors": [{"slug": "a"}]},
            "'authors'[0] must be an object with a 'name' string",
        ),
        (
            {"external_id": "x", "headline": "H", "section": 3},
            "'section' must be a string or null, not a number",
        ),
        (
            {"external_id": "x", "headline": "H", "published_at": "yesterday"},
            "'published_at' is not an ISO 8601 date: 'yesterday'",
        ),
        (
            {"external_id": "x", "headline": "H", "updated_at": 1700000000},
            "'updated_at' must be an ISO 8601 string or null, not a number",
        ),
        (
            {"external_id": "x", "headline": "H", "lead_image": "a.jpg"},
            "'lead_image' must be an object with a 'path' or 'url' string",
        ),
        ('["a list"]', "expected a JSON object, found list"),
    ],
)
def test_bad_lines_are_failures_with_a_reason(tmp_path, line, reason):
    assert read(tmp_path, lines(line)) == [Failure(1, reason)]


def test_invalid_utf8_names_the_byte_and_its_offset(tmp_path):
    content = lines(GOOD).encode() + b'{"external_id": "x", "headline": "Caf\xe9"}\n'
    items = read(tmp_path, content)
    offset = len(lines(GOOD).encode()) + 37
    assert items[1] == Failure(2, f"not UTF-8: byte 0xe9 at offset {offset} (column 38) cannot be decoded")


def test_byte_order_mark_is_accepted(tmp_path):
    [record] = read(tmp_path, "\ufeff" + lines(GOOD))
    assert record.external_id == "w-1"


def test_empty_file_is_invalid_input(tmp_path):
    with pytest.raises(InvalidInput, match="empty file"):
        read(tmp_path, "\n\n")


def test_detected_by_extension_and_by_content(tmp_path):
    assert detect_format(write(tmp_path / "a.jsonl", lines(GOOD))) == "jsonl"
    assert detect_format(write(tmp_path / "a.txt", lines(GOOD))) == "jsonl"  # hill rejects JSON content
    assert detect_format(write(tmp_path / "a.data", lines(GOOD))) == "jsonl"


def test_a_lone_surrogate_escape_fails_its_line_and_a_pair_is_the_character_it_encodes(tmp_path):
    # JSON may escape any UTF-16 unit: "\ud83d\ude00" is one emoji, a "\ud800" alone is no character at
    # all, and no database can store it (it used to crash the import while computing the checksum)
    path = write(
        tmp_path / "x.jsonl",
        '{"external_id": "1", "headline": "Smile \\ud83d\\ude00"}\n'
        '{"external_id": "2", "headline": "Broken \\ud800 text"}\n',
    )

    emoji, broken = jsonl.read(path)

    assert emoji.headline == "Smile \N{GRINNING FACE}"
    assert broken == Failure(2, "invalid text: a lone UTF-16 surrogate (\\ud800) is not a character")
