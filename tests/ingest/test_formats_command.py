"""
The archive and wire formats end to end through import_articles: counts, skipped kinds, statuses,
update by version, hostile files refused with nothing written.
"""

import pytest

from articles.models import Article, Status
from ingest.importers import detect_format
from tests.ingest.import_helpers import FIXTURES, import_articles

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "fixture, summary, code",
    [
        ("csv/articles.csv", "created 3, updated 0, unchanged 0, failed 0", 0),
        ("csv/bad_rows.csv", "created 1, updated 0, unchanged 0, failed 5", 1),
        (
            "wxr/export.xml",
            "created 5, updated 0, unchanged 0, failed 1, skipped wxr attachment 1, skipped wxr page 1, "
            "skipped wxr private 1, skipped wxr trash 1",
            1,
        ),
        ("rss/feed.xml", "created 3, updated 0, unchanged 0, failed 2", 1),
        ("rss/atom.xml", "created 2, updated 0, unchanged 0, failed 0", 0),
        ("rss/latin1.xml", "created 1, updated 0, unchanged 0, failed 0", 0),
        # the story names photos/reservoir.jpg, which is not beside it: reported, the story imported
        ("nitf/story.xml", "created 1, updated 0, unchanged 0, failed 0, lead images not attached 1", 0),
        ("nitf/windows1252.xml", "created 1, updated 0, unchanged 0, failed 0", 0),
        (
            "newsml/message.xml",
            "created 2, updated 0, unchanged 0, failed 1, skipped newsml canceled 1, "
            "skipped newsml picture 1",
            1,
        ),
    ],
)
def test_each_fixture_imports_with_auto_detection_and_a_second_run_changes_nothing(fixture, summary, code):
    first = import_articles(FIXTURES / fixture)

    assert (first.summary, first.code) == (summary, code)
    created = int(summary.split()[1].rstrip(","))
    assert Article.objects.count() == created
    again = import_articles(FIXTURES / fixture)
    assert again.summary.startswith(f"created 0, updated 0, unchanged {created}, ")


@pytest.mark.parametrize(
    "fixture, name",
    [
        ("csv/articles.csv", "csv"),
        ("wxr/export.xml", "wxr"),
        ("rss/feed.xml", "rss"),
        ("rss/atom.xml", "rss"),
        ("rss/latin1.xml", "rss"),
        ("nitf/story.xml", "nitf"),
        ("nitf/windows1252.xml", "nitf"),
        ("newsml/message.xml", "newsml"),
        ("newsml/ferry_v1.xml", "newsml"),
    ],
)
def test_auto_detection_tells_the_xml_formats_apart(fixture, name):
    assert detect_format(FIXTURES / fixture) == name


def test_failures_are_reported_with_path_and_line():
    result = import_articles(FIXTURES / "csv" / "bad_rows.csv")

    path = FIXTURES / "csv" / "bad_rows.csv"
    assert result.errors[:5] == [
        f"{path}:2: headline is 256 characters long, over the limit of 255: {'A' * 40!r}...",
        f"{path}:3: unknown status 'archived'; use one of draft, in_review, scheduled, published, "
        "unpublished",
        f"{path}:4: published_at: invalid date 'the day after tomorrow'",
        f"{path}:5: not valid UTF-8: byte 0xE9 in the headline column",
        f"{path}:7: no external id",
    ]
    assert list(Article.objects.values_list("external_id", flat=True)) == ["good-5"]


def test_wordpress_statuses_end_up_on_the_articles():
    import_articles(FIXTURES / "wxr" / "export.xml", "--source", "courier")

    statuses = dict(Article.objects.values_list("external_id", "status"))
    assert statuses == {
        "https://courier.example.com/?p=101": Status.PUBLISHED,
        "https://courier.example.com/?p=103": Status.DRAFT,
        "https://courier.example.com/?p=104": Status.IN_REVIEW,
        "105": Status.SCHEDULED,
        "https://courier.example.com/?p=108": Status.DRAFT,  # wp:status archived (a plugin status)
    }
    published = Article.objects.get(external_id="https://courier.example.com/?p=101")
    assert published.section.name == "Local News"
    assert sorted(published.tags.names()) == ["Flooding", "Main Street", "Weather"]
    assert [b.author.name for b in published.bylines.all()] == ["Jane Doe", "Rosa García"]
    assert "<figcaption>Main Street at dawn. Photo: R. García</figcaption>" in published.body
    scheduled = Article.objects.get(external_id="105")
    assert scheduled.publish_at == scheduled.published_at
    assert scheduled.publish_at.isoformat() == "2030-01-10T07:00:00+00:00"


def test_a_newer_newsml_version_updates_the_article_and_an_older_one_is_ignored():
    first = import_articles(FIXTURES / "newsml" / "ferry_v1.xml")
    second = import_articles(FIXTURES / "newsml" / "ferry_v2.xml")
    late = import_articles(FIXTURES / "newsml" / "ferry_v1.xml")

    assert first.summary == "created 1, updated 0, unchanged 0, failed 0"
    assert second.summary == "created 0, updated 1, unchanged 0, failed 0"
    assert late.summary == "created 0, updated 0, unchanged 0, failed 0, older version ignored 1"
    article = Article.objects.get()
    assert article.headline == "Ferry capsizes off Java, 12 rescued and dozens missing"
    assert "Rescuers pulled 12 people" in article.body


def test_both_versions_in_one_run_leave_the_newer_one_whatever_the_order(tmp_path):
    for name in ["ferry_v2.xml", "ferry_v1.xml"]:
        (tmp_path / name).write_bytes((FIXTURES / "newsml" / name).read_bytes())

    import_articles(tmp_path / "ferry_v2.xml", tmp_path / "ferry_v1.xml")

    assert Article.objects.get().headline == "Ferry capsizes off Java, 12 rescued and dozens missing"


@pytest.mark.parametrize(
    "hostile, line",
    [
        ("billion_laughs.xml", 3),
        ("quadratic_blowup.xml", 2),
        ("external_entity_file.xml", 2),
        ("external_entity_url.xml", 2),
        ("parameter_entity.xml", 2),
    ],
)
@pytest.mark.parametrize("name", ["wxr", "rss", "nitf", "newsml"])
def test_hostile_xml_is_rejected_with_the_path_and_nothing_is_written(hostile, line, name):
    path = FIXTURES / "hostile" / hostile

    result = import_articles(path, "--format", name)

    assert result.code == 1
    assert result.errors[0].startswith(f"{path}:{line}: rejected: the DOCTYPE declares ")
    assert result.summary == "created 0, updated 0, unchanged 0, failed 1"
    assert not Article.objects.exists()
