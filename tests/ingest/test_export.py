"""export_articles: the JSON Lines schema, chunked streaming, and the export-import-export round trip."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from articles.models import Article, Byline, Section, Status, TaggedArticle
from authors.models import Author
from ingest.importers.jsonl import dumps
from tags.models import Tag
from tests.factories import make_article, make_author, make_section, make_tag
from tests.ingest.import_helpers import SAMPLE, import_articles, run

pytestmark = pytest.mark.django_db

FIELDS = [
    "source", "external_id", "headline", "slug", "dek", "body_html", "section", "authors", "tags",
    "status", "published_at", "updated_at", "canonical_url", "url",
]  # fmt: skip
WHEN = datetime.datetime(2024, 3, 1, 8, 30, tzinfo=datetime.UTC)


def export(*args, **options):
    result = run("export_articles", *args, **options)
    assert result.code == 0, result.err
    return result.out


def newsroom():
    world = make_section("World")
    ana, bo = make_author("Ana Diaz"), make_author("Bo Li")
    storms, dover = make_tag("Storms"), make_tag("port of Dover")
    published = make_article(
        "Storm closes the port",
        published_at=WHEN,
        section=world,
        dek="Ferries cancelled",
        body="<p>Waves &amp; wind.</p>",
        tags=[storms, dover],
        source="wire",
        external_id="w-1",
        canonical_url="https://example.com/storm",
        updated_at=WHEN + datetime.timedelta(hours=1),
    )
    Byline.objects.create(article=published, author=bo, position=1, role=Byline.Role.PHOTOS)
    Byline.objects.create(article=published, author=ana, position=0)
    draft = make_article("Ünïcode draft", status=Status.DRAFT)  # born in the CMS: no source or id
    return published, draft


def test_each_article_is_one_json_line_with_the_documented_fields():
    published, draft = newsroom()

    lines = export().splitlines()

    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert list(first) == FIELDS
    assert first == {
        "source": "wire",
        "external_id": "w-1",
        "headline": "Storm closes the port",
        "slug": "storm-closes-the-port",
        "dek": "Ferries cancelled",
        "body_html": "<p>Waves &amp; wind.</p>",
        "section": "World",
        "authors": [
            {"name": "Ana Diaz", "slug": "ana-diaz", "role": "reporting"},
            {"name": "Bo Li", "slug": "bo-li", "role": "photos"},
        ],
        "tags": ["port of Dover", "Storms"],
        "status": "published",
        "published_at": "2024-03-01T08:30:00+00:00",
        "updated_at": "2024-03-01T09:30:00+00:00",
        "canonical_url": "https://example.com/storm",
        "url": "http://127.0.0.1:8000/2024/03/01/storm-closes-the-port/",
    }
    assert second["source"] == "newsroom" and second["external_id"] == f"article-{draft.pk}"
    assert second["headline"] == "Ünïcode draft" and "Ünïcode" in lines[1]  # UTF-8, not \\u escapes
    assert (second["url"], second["published_at"], second["section"]) == (None, None, None)
    assert second["updated_at"] == draft.modified_at.isoformat()


def test_status_filter_and_output_file(tmp_path):
    newsroom()
    path = tmp_path / "out.jsonl"

    result = run("export_articles", output=path, status="draft")

    assert result.out == "" and result.err == f"exported 1 articles to {path}\n"
    [line] = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["status"] == "draft"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]  # no partial file left behind


def test_unwritable_output_is_a_clear_error(tmp_path):
    result = run("export_articles", output=tmp_path / "missing" / "out.jsonl")
    assert result.code == 1
    assert "missing/out.jsonl: cannot write: No such file or directory" in result.err


def test_queries_per_chunk_are_constant(django_assert_max_num_queries):
    tags = [make_tag() for _ in range(3)]
    for _ in range(30):
        make_article(tags=tags, authors=[make_author()], section=make_section())

    with CaptureQueriesContext(connection) as small:
        export(chunk_size=1000, status="published")
    # 30 articles in chunks of 10: three chunks of three queries, plus the empty last chunk.
    with django_assert_max_num_queries(10):
        export(chunk_size=10)
    assert len(small) == 4


def test_round_trip_export_import_export_is_byte_identical(tmp_path):
    newsroom()
    import_articles(SAMPLE, status="published")
    make_article("Scheduled", status=Status.SCHEDULED, publish_at=WHEN, published_at=WHEN)
    make_article("Same slug twice", published_at=WHEN)
    make_article("Same slug twice", status=Status.IN_REVIEW)
    first = export()

    for model in (TaggedArticle, Byline, Article, Tag, Author, Section):
        model.objects.all().delete()
    path = tmp_path / "export.jsonl"
    path.write_text(first, encoding="utf-8")
    result = import_articles(path)
    assert (result.code, result.summary) == (0, "created 6, updated 0, unchanged 0, failed 0")

    assert export() == first
    assert import_articles(path).summary == "created 0, updated 0, unchanged 6, failed 0"


# Any text PostgreSQL can hold (no NUL, no lone surrogates), in the shapes an export line has.
_TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))
_LINE = st.dictionaries(
    _TEXT,
    st.none() | _TEXT | st.lists(_TEXT) | st.lists(st.dictionaries(_TEXT, _TEXT, max_size=3), max_size=3),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(_LINE)
def test_each_line_is_what_the_standard_json_encoder_writes(line):
    """The fast encoder behind export lines writes exactly the bytes of json.dumps(ensure_ascii=False)."""
    assert dumps(line) == json.dumps(line, ensure_ascii=False, separators=(",", ":"))


def test_control_characters_quotes_and_non_ascii_are_escaped_as_json_dumps_escapes_them():
    line = {"headline": "".join(map(chr, range(1, 0x80))) + "\u2028\u2029 é 😀 \ufeff"}
    assert dumps(line) == json.dumps(line, ensure_ascii=False, separators=(",", ":"))
    assert json.loads(dumps(line)) == line
