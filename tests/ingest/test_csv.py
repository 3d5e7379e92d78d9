"""The csv import format: a header row, documented columns, UTF-8 with or without BOM, multi-line fields."""

import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from articles.sanitize import sanitize_html
from ingest.importers import FORMATS, Failure, InvalidInput, Record, csv
from ingest.importers.markup import text_to_html, text_to_sanitized_html

FIXTURES = Path(__file__).parent.parent / "fixtures" / "csv"


def read(path):
    return list(csv.read(path))


def write(tmp_path, content: bytes, name="articles.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_csv_is_registered_under_its_format_name():
    assert FORMATS["csv"] == "ingest.importers.csv"
    assert ".csv" in csv.EXTENSIONS
    assert csv.sniff((FIXTURES / "articles.csv").read_bytes()[:4096])
    assert not csv.sniff(b'<?xml version="1.0"?><rss/>')


def test_each_documented_column_reaches_the_record_and_the_bom_is_ignored():
    first, second, third = read(FIXTURES / "articles.csv")

    assert first == Record(
        external_id="legacy-1001",
        headline='Council approves $2.1bn budget, "a turning point"',
        line=2,
        body_html="<p>The city council approved the budget on Tuesday.</p>\n"
        "<p>Opponents said it was <em>rushed</em>.</p>",
        dek="The vote was 7 to 2.",
        section="Politics",
        authors=first.authors,
        tags=["Budget", "City Council"],  # "budget" repeated in another case is one tag
        status="published",
        published_at=datetime.datetime(2024, 3, 5, 17, 30, tzinfo=datetime.UTC),
    )
    assert [author.name for author in first.authors] == ["Jane Doe", "John Roe"]
    assert second.external_id == "legacy-1002" and third.external_id == "legacy-1003"


def test_quoted_multi_line_fields_keep_their_lines_and_records_report_where_they_start():
    first, second, third = read(FIXTURES / "articles.csv")

    assert [first.line, second.line, third.line] == [2, 4, 8]
    assert second.body_html == (
        "<p>Classes resumed on Monday.</p><p>Parents were relieved.<br>Buses ran late.</p>"
    )


def test_plain_text_bodies_become_paragraphs_and_rfc_822_dates_with_zone_names_are_read():
    second = read(FIXTURES / "articles.csv")[1]

    assert second.status == "draft"
    assert second.published_at == datetime.datetime(2024, 3, 5, 14, 0, tzinfo=datetime.UTC)  # 09:00 EST


def test_missing_optional_fields_are_empty_and_the_status_is_left_to_the_command():
    third = read(FIXTURES / "articles.csv")[2]

    assert third.headline == "Café owner wins award"
    assert third.body_html == "<p>Ünïcödé is fine.</p>"  # starts with "<": taken as HTML
    assert (third.section, third.authors, third.tags) == ("", [], [])
    assert (third.status, third.published_at) == ("", None)


def test_html_bodies_are_sanitized():
    first = read(FIXTURES / "articles.csv")[0]

    assert "script" not in first.body_html and "alert" not in first.body_html


# Text with everything the sanitizer's parser treats specially: markup characters, entities, quotes,
# no-break spaces, line breaks of every kind, NUL and other control characters, non-BMP characters.
TRICKY_TEXT = st.text(
    st.one_of(
        st.sampled_from(list("<>&\"'\xa0\n\r\t\x0c \x00\x01\x0b\x1f\x7f\x85\x9f\u2028\ufdd0;#x")),
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
    ),
    max_size=80,
)


@given(TRICKY_TEXT)
def test_plain_text_is_converted_exactly_as_the_sanitizer_would_leave_it(text):
    # The reader skips the sanitizer for plain text; what it stores must be what the sanitizer returns.
    assert text_to_sanitized_html(text) == sanitize_html(text_to_html(text))


def test_plain_text_bodies_are_escaped_never_read_as_markup(tmp_path):
    path = write(
        tmp_path,
        b"external_id,headline,body,body_format\r\n"
        b'x-1,Quote,"Fish & chips <script>alert(1)</script> \xc2\xa0""rated"" 5>4\r\n\r\nNext",text\r\n',
    )

    (record,) = read(path)

    assert record.body_html == (
        '<p>Fish &amp; chips &lt;script&gt;alert(1)&lt;/script&gt; &nbsp;"rated" 5&gt;4</p><p>Next</p>'
    )


def test_bad_rows_fail_with_their_line_and_reason_and_the_rest_is_read():
    results = read(FIXTURES / "bad_rows.csv")

    assert [(r.line, r.reason) for r in results if isinstance(r, Failure)] == [
        (2, "headline is 256 characters long, over the limit of 255: " + repr("A" * 40) + "..."),
        (3, "unknown status 'archived'; use one of draft, in_review, scheduled, published, unpublished"),
        (4, "published_at: invalid date 'the day after tomorrow'"),
        (5, "not valid UTF-8: byte 0xE9 in the headline column"),
        (7, "no external id"),
    ]
    assert [r.external_id for r in results if isinstance(r, Record)] == ["good-5"]


def test_a_headline_is_never_truncated(tmp_path):
    path = write(tmp_path, b"external_id,headline\nx," + b"B" * 300 + b"\n")

    (result,) = read(path)

    assert isinstance(result, Failure) and "300 characters" in result.reason


def test_a_row_with_the_wrong_number_of_fields_fails(tmp_path):
    path = write(tmp_path, b"external_id,headline\na,One,extra\nb,Two\n")

    failure, record = read(path)

    assert failure == Failure(2, "3 fields, but the header has 2")
    assert record.headline == "Two"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty file"),
        (b"id,title\n1,x\n", "missing columns: external_id, headline; unknown columns: id, title"),
        (b"\xff\xfee\x00x\x00", "this CSV is UTF-16; save it as UTF-8"),
        (b'external_id,headline\n1,"never closed\n', "malformed CSV: unexpected end of data"),
    ],
)
def test_a_file_that_is_not_our_csv_is_rejected_as_a_whole(tmp_path, content, message):
    path = write(tmp_path, content)

    with pytest.raises(InvalidInput) as error:
        read(path)

    assert message in error.value.reason


def test_blank_lines_between_rows_are_ignored(tmp_path):
    path = write(tmp_path, b"external_id,headline\r\n\r\na,One\r\n\r\nb,Two\r\n")

    assert [(r.line, r.headline) for r in read(path)] == [(3, "One"), (5, "Two")]
