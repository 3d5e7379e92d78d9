"""import_articles end to end: real files, real database, the output an operator sees."""

import datetime
import json
import os
import shutil
import threading
import time

import pytest
from django.db.models import F
from django.utils import timezone

from articles.models import Article, Byline, Revision, Section, Status, TaggedArticle, snapshot_of
from authors.models import Author
from tags.models import Tag, TagRedirect
from tests.factories import make_article, make_author, make_section, make_tag
from tests.ingest.import_helpers import FIXTURES, SAMPLE, SAMPLE_TAGS, import_articles, write

pytestmark = pytest.mark.django_db


def jsonl(tmp_path, *records, name="in.jsonl"):
    return write(tmp_path / name, "".join(json.dumps(r) + "\n" for r in records))


def rec(external_id, headline=None, **fields):
    return {"external_id": external_id, "headline": headline or f"Headline {external_id}", **fields}


def counts(**expected):
    parts = [f"{name} {expected.get(name, 0)}" for name in ("created", "updated", "unchanged", "failed")]
    return ", ".join(parts)


class TestTheSample:
    def test_sample_is_imported_with_exact_headline_tags_and_body(self):
        result = import_articles(SAMPLE, status="published")

        assert (result.code, result.summary, result.errors) == (0, counts(created=1), [])
        article = Article.objects.get()
        assert (
            article.headline
            == "Milley discussed Putin offer to use Russian bases to monitor Afghanistan: report"
        )
        assert [t.name for t in article.tags.order_by("name")] == SAMPLE_TAGS
        assert article.body.count("<p>") == 11
        assert "See all" not in article.body and "Tags " not in article.body
        assert (article.source, article.external_id) == ("hill", "000_03d6219c7e6dd54c")
        assert (
            article.slug == "milley-discussed-putin-offer-to-use-russian-bases-to-monitor-afghanistan-report"
        )
        assert article.status == Status.PUBLISHED and article.published_at <= timezone.now()
        assert (article.version, article.imported_version) == (1, 1)
        assert len(article.import_checksum) == 64

    def test_every_import_that_writes_leaves_a_revision_with_bylines_and_tags(self, tmp_path):
        import_articles(SAMPLE, status="published")
        import_articles(SAMPLE, status="published")  # unchanged: no new revision
        article = Article.objects.get()
        [revision] = article.revisions.all()
        assert (revision.number, revision.version, revision.comment) == (1, 1, "Imported")
        assert revision.snapshot["headline"] == article.headline
        assert revision.snapshot["tags"] == sorted(SAMPLE_TAGS, key=str.casefold)

        changed = write(
            tmp_path / SAMPLE.name, SAMPLE.read_text().replace("Milley discussed", "Milley weighed", 1)
        )
        import_articles(changed, source="hill", status="published")

        assert [r.number for r in article.revisions.all()] == [2, 1]
        assert article.revisions.first().snapshot["headline"].startswith("Milley weighed")

    def test_revision_snapshot_is_what_the_database_holds_with_names_as_stored(self, tmp_path):
        # Existing rows spelled differently from the file: the snapshot names them as stored.
        make_section(name="World News")
        make_author(name="Ana Berg", slug="ana-berg")
        make_tag(name="Donald Trump")
        merged_into = make_tag(name="European Union")
        TagRedirect.objects.create(old_slug="eu-affairs", target=merged_into)
        path = jsonl(
            tmp_path,
            rec(
                "r-1",
                section="world news",
                authors=[
                    {"name": "ANA BERG"},
                    {"name": "New Person", "role": "photos"},
                    {"name": "ana berg"},
                ],
                tags=["donald trump", "EU Affairs", "Brand New", "brand new"],
            ),
        )
        import_articles(path, source="wire", status="published")
        revisions = list(Revision.objects.all())
        article = (
            Article.objects.select_related("section")
            .prefetch_related("bylines__author", "tagged_items__tag")
            .get(external_id="r-1")
        )
        assert len(revisions) == 1
        assert revisions[0].snapshot == snapshot_of(article)
        assert revisions[0].snapshot["section_name"] == "World News"
        assert revisions[0].snapshot["tags"] == ["Brand New", "Donald Trump", "European Union"]
        assert [b["author_name"] for b in revisions[0].snapshot["bylines"]] == ["Ana Berg", "New Person"]

        path = jsonl(tmp_path, rec("r-1", "A new headline", section="world news", tags=["Brand New"]))
        import_articles(path, source="wire", status="published")
        article = Article.objects.prefetch_related("bylines__author", "tagged_items__tag").get(
            external_id="r-1"
        )
        latest = article.revisions.first()
        assert (latest.number, latest.version, latest.snapshot) == (2, 2, snapshot_of(article))

    def test_reimport_is_unchanged_and_writes_nothing(self):
        import_articles(SAMPLE, status="published")
        before = Article.objects.values().get()

        result = import_articles(SAMPLE, status="published")

        assert (result.code, result.summary) == (0, counts(unchanged=1))
        assert Article.objects.values().get() == before
        assert Tag.objects.count() == 11 and TaggedArticle.objects.count() == 11

    def test_changed_file_updates_its_article_and_bumps_the_version(self, tmp_path):
        path = tmp_path / SAMPLE.name
        shutil.copy(SAMPLE, path)
        import_articles(path, status="published")
        first = Article.objects.get()
        path.write_text(path.read_text().replace("Milley discussed", "Milley talked about", 1))

        result = import_articles(path, status="published")

        article = Article.objects.get()
        assert result.summary == counts(updated=1)
        assert article.headline.startswith("Milley talked about")
        assert article.slug == first.slug  # public URLs stay stable
        assert article.published_at == first.published_at
        assert (article.version, article.imported_version) == (2, 2)
        assert TaggedArticle.objects.filter(content_object=article).count() == 11

    def test_default_status_is_draft_without_a_date(self):
        import_articles(SAMPLE)
        article = Article.objects.get()
        assert (article.status, article.published_at) == (Status.DRAFT, None)

    def test_dry_run_validates_and_writes_nothing(self, tmp_path):
        path = jsonl(tmp_path, rec("a"), rec("b", "x" * 300))

        result = import_articles(SAMPLE, path, dry_run=True)

        assert result.summary == counts(created=2, failed=1) + " (dry run: nothing written)"
        assert result.code == 1
        assert result.errors[0] == f"{path}:2: headline is 300 characters long; the limit is 255"
        assert not Article.objects.exists() and not Tag.objects.exists() and not Section.objects.exists()

    def test_existing_tags_are_reused_case_insensitively_and_by_slug(self):
        putin = make_tag("vladimir putin")
        military = make_tag("US Military")  # same slug as "U.S. military"

        import_articles(SAMPLE)

        article = Article.objects.get()
        assert set(article.tags.all()) >= {putin, military}
        assert Tag.objects.count() == 11

    def test_the_splitter_uses_the_tags_already_in_the_database(self, tmp_path):
        line = "Tags Climate change Energy Environmental Protection Agency"
        path = write(tmp_path / "t1.txt", f"Power plants\n\nPrices rose.\n\n{line}\n")
        make_tag("Environmental Protection Agency")

        import_articles(path)

        names = sorted(Article.objects.get().tags.values_list("name", flat=True))
        assert names == ["Climate change", "Energy", "Environmental Protection Agency"]


class TestJsonLines:
    def test_sections_authors_and_tags_are_matched_or_created(self, tmp_path):
        section = make_section("World")
        ana = make_author("Ana Diaz", slug="ana-d")
        make_tag("Storms")
        path = jsonl(
            tmp_path,
            rec(
                "a",
                section="world",
                authors=[{"name": "ANA DIAZ"}, {"name": "Bo Li", "slug": "bo-li", "role": "photos"}],
                tags=["storms", "Port of Dover"],
            ),
            rec("b", section="Science", authors=[{"name": "Bo Li", "slug": "bo-li"}], tags=["PORT OF DOVER"]),
        )

        result = import_articles(path)

        assert result.summary == counts(created=2)
        a, b = Article.objects.order_by("external_id")
        assert a.section == section and b.section.name == "Science"
        assert [(bl.author.name, bl.role) for bl in a.bylines.all()] == [
            ("Ana Diaz", "reporting"),
            ("Bo Li", "photos"),
        ]
        assert a.bylines.first().author == ana
        assert Author.objects.count() == 2 and Tag.objects.count() == 2
        assert list(b.tags.values_list("name", flat=True)) == ["Port of Dover"]

    def test_status_and_date_come_from_the_record_before_the_option(self, tmp_path):
        when = "2024-05-06T07:08:09+00:00"
        path = jsonl(
            tmp_path, rec("a", status="published", published_at=when), rec("b"), rec("c", status="published")
        )

        import_articles(path, status="draft")

        a, b, c = Article.objects.order_by("external_id")
        assert (a.status, a.published_at) == (
            "published",
            datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC),
        )
        assert (b.status, b.published_at) == ("draft", None)
        assert c.status == "published" and abs(c.published_at - timezone.now()) < datetime.timedelta(
            minutes=1
        )

    def test_scheduled_record_gets_its_publish_at(self, tmp_path):
        when = "2030-01-01T00:00:00+00:00"
        import_articles(jsonl(tmp_path, rec("a", status="scheduled", published_at=when)))
        article = Article.objects.get()
        assert (
            article.publish_at == article.published_at == datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
        )

    def test_body_is_sanitized(self, tmp_path):
        body = '<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:evil()">link</a></p>'
        import_articles(jsonl(tmp_path, rec("a", body_html=body)))
        assert Article.objects.get().body == '<p>Hi <a rel="noopener noreferrer">link</a></p>'

    def test_a_file_cannot_claim_its_body_is_sanitized_already(self, tmp_path):
        body = '<p onclick="x()">Hi <script>alert(1)</script></p>'
        import_articles(jsonl(tmp_path, rec("a", body_html=body, body_sanitized=True)))
        assert Article.objects.get().body == "<p>Hi </p>"

    def test_slug_collisions_get_suffixes(self, tmp_path):
        make_article("Same headline")
        path = jsonl(
            tmp_path, rec("a", "Same headline"), rec("b", "Same headline"), rec("c", slug="same-headline")
        )

        import_articles(path)

        slugs = list(
            Article.objects.filter(source="jsonl").order_by("external_id").values_list("slug", flat=True)
        )
        assert slugs == ["same-headline-2", "same-headline-3", "same-headline-4"]

    def test_source_option_applies_to_records_without_one(self, tmp_path):
        import_articles(jsonl(tmp_path, rec("a"), rec("b", source="wire")), source="archive")
        assert sorted(Article.objects.values_list("source", "external_id")) == [
            ("archive", "a"),
            ("wire", "b"),
        ]

    def test_same_external_id_in_two_sources_are_two_articles(self, tmp_path):
        import_articles(jsonl(tmp_path, rec("a", source="one"), rec("a", source="two")))
        assert Article.objects.count() == 2

    def test_the_same_item_twice_in_a_file_creates_then_updates(self, tmp_path):
        result = import_articles(jsonl(tmp_path, rec("a", "First"), rec("a", "Second")))
        assert result.summary == counts(created=1, updated=1)
        assert Article.objects.get().headline == "Second"


class TestValidation:
    @pytest.mark.parametrize(
        ("record", "reason"),
        [
            (rec("a", "h" * 256), "headline is 256 characters long; the limit is 255"),
            (
                rec("a", status="live"),
                "unknown status 'live'; expected one of draft, in_review, scheduled, published, unpublished",
            ),
            (rec("a", status="scheduled"), "a scheduled article needs a publication date"),
            (rec("a", slug="not a slug"), "slug 'not a slug' is not a valid slug"),
            (rec("a", canonical_url="ftp://x"), "canonical_url 'ftp://x' is not a valid URL"),
            (rec("a", section="s" * 101), "section name is 101 characters long; the limit is 100"),
            (
                rec("a", tags=["t" * 101]),
                "tag 'tttttttttttttttttttttttttttttt'... is 101 characters long; the limit is 100",
            ),
            (rec("a", authors=[{"name": "A", "role": "chef"}]), "unknown byline role 'chef'"),
            (rec("e" * 256, "H"), "external_id is 256 characters long; the limit is 255"),
        ],
    )
    def test_invalid_records_fail_with_path_line_and_reason_and_nothing_is_written(
        self, tmp_path, record, reason
    ):
        path = jsonl(tmp_path, rec("ok"), record)

        result = import_articles(path)

        assert result.code == 1
        assert result.summary == counts(created=1, failed=1)
        assert result.errors[0].startswith(f"{path}:2: {reason}")
        assert list(Article.objects.values_list("external_id", flat=True)) == ["ok"]

    def test_a_failing_article_leaves_no_rows_and_the_rest_of_its_batch_commits(self, tmp_path):
        path = jsonl(
            tmp_path, rec("a", tags=["One"]), rec("b", "x" * 300, tags=["Two"]), rec("c", tags=["Three"])
        )

        result = import_articles(path, batch_size=10)

        assert result.summary == counts(created=2, failed=1)
        assert sorted(Article.objects.values_list("external_id", flat=True)) == ["a", "c"]
        assert sorted(Tag.objects.values_list("name", flat=True)) == ["One", "Three"]
        assert Byline.objects.count() == 0


class TestLocalEdits:
    def edit_in_the_cms(self, article, **fields):
        # What every CMS save does with optimistic locking: change the row and bump its version.
        Article.objects.filter(pk=article.pk).update(version=F("version") + 1, **fields)

    def test_reimport_keeps_an_article_edited_since_its_import(self, tmp_path):
        path = jsonl(tmp_path, rec("a", "Original"))
        import_articles(path)
        self.edit_in_the_cms(Article.objects.get(), headline="Edited by an editor")
        path = jsonl(tmp_path, rec("a", "Changed at the source"))

        result = import_articles(path)

        assert (result.code, result.summary) == (0, counts() + ", kept local edits 1")
        assert Article.objects.get().headline == "Edited by an editor"

    def test_overwrite_local_edits_replaces_them_and_records_the_new_version(self, tmp_path):
        path = jsonl(tmp_path, rec("a", "Original"))
        import_articles(path)
        self.edit_in_the_cms(Article.objects.get(), headline="Edited by an editor")

        result = import_articles(path, overwrite_local_edits=True)

        article = Article.objects.get()
        assert result.summary == counts(updated=1)
        assert (article.headline, article.version, article.imported_version) == ("Original", 3, 3)
        assert import_articles(path).summary == counts(unchanged=1)

    def test_an_article_created_in_the_cms_with_the_same_key_is_never_overwritten(self, tmp_path):
        make_article("Written here", source="jsonl", external_id="a")

        result = import_articles(jsonl(tmp_path, rec("a", "From the file")))

        assert result.summary == counts() + ", kept local edits 1"
        assert Article.objects.get().headline == "Written here"


class TestBadInput:
    def test_unknown_format_is_a_clear_error(self):
        result = import_articles(SAMPLE, "--format=docx")
        assert result.code == 1
        assert "argument --format: invalid choice: 'docx' (choose from " in result.err
        assert "hill" in result.err and "jsonl" in result.err
        assert not Article.objects.exists()

    def test_unknown_format_passed_from_code_is_a_clear_error_too(self):
        result = import_articles(SAMPLE, format="docx")
        assert result.err == (
            "CommandError: unknown format 'docx'; "
            "choose from auto, hill, jsonfeed, jsonl, csv, wxr, rss, nitf, newsml\n"
        )

    def test_status_other_than_draft_or_published_is_refused(self):
        assert import_articles(SAMPLE, "--status=scheduled").code == 1
        result = import_articles(SAMPLE, status="live")
        assert result.err == "CommandError: --status must be draft or published, not 'live'\n"
        assert not Article.objects.exists()

    def test_missing_file(self, tmp_path):
        result = import_articles(tmp_path / "nope.txt")
        assert (result.code, result.errors[0]) == (1, f"{tmp_path / 'nope.txt'}: no such file or directory")

    def test_unreadable_file(self, tmp_path):
        path = write(tmp_path / "secret.txt", "Headline\n")
        path.chmod(0)
        if os.access(path, os.R_OK):
            path.chmod(0o600)
            pytest.skip("running as root: file permissions do not apply")
        result = import_articles(path)
        path.chmod(0o600)
        assert result.errors[0] == f"{path}: cannot read: Permission denied"

    def test_an_empty_directory_imports_nothing_and_succeeds(self, tmp_path):
        (tmp_path / "dir.txt").mkdir()
        result = import_articles(tmp_path / "dir.txt", format="hill")
        assert (result.code, result.summary) == (0, counts())

    @pytest.mark.parametrize(
        ("field", "value", "reason"),
        [
            (
                "published_at",
                "0001-01-01T00:00:00+05:00",
                "published_at is out of range: 0001-01-01T00:00:00+05:00",
            ),
            ("headline", "Nul\u0000byte", "headline contains a NUL character"),
            ("body_html", "<p>a\u0000</p>", "body_html contains a NUL character"),
        ],
    )
    def test_values_no_database_can_store_are_failures(self, tmp_path, field, value, reason):
        path = write(tmp_path / "odd.jsonl", json.dumps({**rec("a"), field: value}) + "\n")
        result = import_articles(path)
        assert result.errors[0] == f"{path}:1: {reason}"
        assert not Article.objects.exists()

    def test_wrong_encoding_says_which_byte(self, tmp_path):
        path = write(tmp_path / "latin.txt", "Caf\u00e9 headline\n".encode("latin-1"))
        result = import_articles(path)
        assert result.errors[0] == f"{path}:1: not UTF-8: byte 0xe9 at offset 3 cannot be decoded"
        assert result.code == 1

    def test_empty_file(self, tmp_path):
        path = write(tmp_path / "empty.jsonl", "")
        assert import_articles(path).errors[0] == f"{path}: empty file"

    def test_file_with_no_headline(self, tmp_path):
        path = write(tmp_path / "nohead.txt", "\nTags Kremlin\n")
        assert (
            import_articles(path).errors[0]
            == f"{path}:2: no headline: the first non-empty line is the tag line"
        )

    def test_invalid_json_on_line_n_and_missing_field(self, tmp_path):
        path = write(
            tmp_path / "bad.jsonl", json.dumps(rec("a")) + "\n{oops\n" + json.dumps({"headline": "H"}) + "\n"
        )
        result = import_articles(path)
        assert result.errors[:2] == [
            f"{path}:2: invalid JSON: Expecting property name enclosed in double quotes (column 2)",
            f"{path}:3: missing required field 'external_id'",
        ]
        assert result.summary == counts(created=1, failed=2)
        assert result.code == 1

    def test_failures_do_not_stop_other_files(self, tmp_path):
        write(tmp_path / "a" / "1.txt", "Caf\u00e9\n".encode("latin-1"))
        write(tmp_path / "a" / "2.txt", "Second\n\nBody.\n")
        result = import_articles(tmp_path)
        assert result.summary == counts(created=1, failed=1)


class TestDirectories:
    def test_directories_are_recursed_in_name_order_and_unclaimed_files_ignored(self, tmp_path):
        write(tmp_path / "b" / "2.txt", "Two\n\nBody.\n")
        write(tmp_path / "a" / "1.txt", "One\n\nBody.\n")
        write(tmp_path / "a" / "z" / "3.jsonl", json.dumps(rec("three", "Three")) + "\n")
        write(tmp_path / "a" / "photo.jpg", b"\xff\xd8\xff")
        write(tmp_path / ".git" / "x.txt", "Hidden\n")

        result = import_articles(tmp_path)

        assert result.summary == counts(created=3)
        assert list(Article.objects.order_by("pk").values_list("headline", flat=True)) == [
            "One",
            "Three",
            "Two",
        ]

    def test_forced_format_reads_other_extensions(self, tmp_path):
        path = write(tmp_path / "feed.data", json.dumps(rec("x")) + "\n")
        assert import_articles(path, format="jsonl").summary == counts(created=1)


class TestFileResultsAndReport:
    """Every file ends with a line of its own; --report has one JSON line per outcome."""

    def files(self, tmp_path):
        good = jsonl(tmp_path, rec("a"), {"headline": "no id"}, rec("b"), name="1-good.jsonl")
        empty = write(
            tmp_path / "2-empty.xml", '<rss version="2.0"><channel><title>T</title></channel></rss>'
        )
        unreadable = write(tmp_path / "3-broken.jsonl", b"\xff\xfe not json\n")
        wxr = write(tmp_path / "4-export.xml", (FIXTURES / "wxr" / "export.xml").read_bytes())
        return good, empty, unreadable, wxr

    def test_each_file_gets_its_line_in_order_and_the_summary_stays_last(self, tmp_path):
        good, empty, unreadable, wxr = self.files(tmp_path)

        result = import_articles(good, empty, unreadable, wxr, tmp_path / "missing.jsonl")

        assert result.out.splitlines() == [
            f"{tmp_path / 'missing.jsonl'}: created 0, updated 0, unchanged 0, failed 1",
            f"{good}: created 2, updated 0, unchanged 0, failed 1",
            f"{empty}: 0 items: feed has no items",
            f"{unreadable}: created 0, updated 0, unchanged 0, failed 1",
            f"{wxr}: created 5, updated 0, unchanged 0, failed 1, skipped wxr attachment 1, "
            "skipped wxr page 1, skipped wxr private 1, skipped wxr trash 1",
            "created 7, updated 0, unchanged 0, failed 4, skipped wxr attachment 1, skipped wxr page 1, "
            "skipped wxr private 1, skipped wxr trash 1",
        ]
        assert result.code == 1

    def test_the_report_has_path_line_external_id_outcome_and_reason_of_every_item(self, tmp_path):
        good, empty, unreadable, wxr = self.files(tmp_path)
        report = tmp_path / "report.jsonl"

        import_articles(good, empty, unreadable, wxr, report=report)
        rows = [json.loads(line) for line in report.read_text().splitlines()]

        assert [row for row in rows if row["path"] == str(good)] == [
            {"path": str(good), "line": 2, "external_id": "", "outcome": "failed", "reason": (
                "missing required field 'external_id'"
            )},
            {"path": str(good), "line": 1, "external_id": "a", "outcome": "created", "reason": ""},
            {"path": str(good), "line": 3, "external_id": "b", "outcome": "created", "reason": ""},
        ]  # fmt: skip
        assert [row for row in rows if row["path"] == str(unreadable)] == [
            {"path": str(unreadable), "line": 1, "external_id": "", "outcome": "failed", "reason": (
                "not UTF-8: byte 0xff at offset 0 (column 1) cannot be decoded"
            )},
        ]  # fmt: skip
        wxr_outcomes = sorted(row["outcome"] for row in rows if row["path"] == str(wxr))
        assert wxr_outcomes == ["created"] * 5 + [
            "failed",
            "skipped attachment",
            "skipped page",
            "skipped private",
            "skipped trash",
        ]
        assert all(row["reason"] for row in rows if row["outcome"] != "created")
        assert not any(row["path"] == str(empty) for row in rows)  # no item: its reason is on stdout

        import_articles(good, report=report)  # a second run overwrites the report with its own outcomes

        assert [json.loads(line)["outcome"] for line in report.read_text().splitlines()] == [
            "failed",
            "unchanged",
            "unchanged",
        ]

    def test_a_report_that_cannot_be_written_stops_the_run_before_anything_is_imported(self, tmp_path):
        good = jsonl(tmp_path, rec("a"))

        result = import_articles(good, report=tmp_path / "no-such-dir" / "report.jsonl")

        assert result.code == 1
        assert "--report" in result.err and "cannot write: No such file or directory" in result.err
        assert not Article.objects.exists()

    def test_a_file_that_only_says_why_it_has_no_items_exits_0_one_whose_items_all_failed_exits_1(
        self, tmp_path
    ):
        empty = write(tmp_path / "empty.json", '{"version": "https://jsonfeed.org/version/1.1", "items": []}')
        all_bad = write(tmp_path / "bad.json", '{"items": [{"title": "no id"}, 3]}')

        assert import_articles(empty).code == 0
        failed = import_articles(all_bad)
        assert failed.code == 1
        assert failed.out.splitlines()[0] == f"{all_bad}: created 0, updated 0, unchanged 0, failed 2"


class TestQueries:
    def test_a_batch_costs_a_fixed_number_of_queries(self, tmp_path, django_assert_max_num_queries):
        def batch(prefix, n):
            return [
                rec(
                    f"{prefix}{i}",
                    tags=[f"Tag {i}", "Common"],
                    authors=[{"name": f"Writer {i}"}],
                    section="News",
                )
                for i in range(n)
            ]

        import_articles(jsonl(tmp_path, *batch("warm", 2)))  # sections and the tag vocabulary exist
        # On PostgreSQL each run also checks the table statistics once (savepoint, select, release).
        with django_assert_max_num_queries(19):
            assert import_articles(jsonl(tmp_path, *batch("x", 50), name="b.jsonl")).summary == counts(
                created=50
            )
        with django_assert_max_num_queries(7):
            assert import_articles(jsonl(tmp_path, *batch("x", 50), name="b.jsonl")).summary == counts(
                unchanged=50
            )


class TestProgress:
    def test_not_on_a_terminal_a_progress_line_is_printed_periodically(self, tmp_path):
        path = jsonl(tmp_path, *[rec(str(i)) for i in range(3)])
        result = import_articles(path, quiet=False, progress_every=0)
        progress = [line for line in result.err.splitlines() if line.startswith("progress:")]
        assert len(progress) == 3
        assert progress[-1].startswith("progress: 3 articles read (")
        assert progress[-1].endswith(f"{path} (1/1)")

    def test_quiet_prints_no_progress(self, tmp_path):
        result = import_articles(jsonl(tmp_path, rec("a")), quiet=True, progress_every=0)
        assert result.err == ""


class TestDatabaseRefusals:
    def test_a_tag_the_unique_index_would_clash_with_is_reused(self, tmp_path):
        # casefold("Straße") is "strasse" but LOWER() gives "straße", the key of the unique index.
        existing = make_tag("STRAßE", slug="old-slug")
        result = import_articles(jsonl(tmp_path, rec("a", tags=["Straße"])))
        assert (result.code, result.summary) == (0, counts(created=1))
        assert list(Article.objects.get().tags.all()) == [existing]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_the_database_refuses_is_retried_article_by_article(tmp_path):
    """
    A concurrent writer creates article "b" while the import is writing the batch [a, b, c]: the
    batch's INSERT waits for it, then fails on the unique (source, external_id). The batch is retried
    one article per transaction: a and c are created, b is now someone else's article and kept.
    """
    from django.db import connection as main_connection
    from django.db import connections, transaction

    inserted, done = threading.Event(), threading.Event()
    errors = []

    def concurrent_writer():
        try:
            with transaction.atomic():
                make_article("Written concurrently", source="jsonl", external_id="b")
                inserted.set()
                deadline = time.monotonic() + 20
                with connections["default"].cursor() as cursor:
                    while time.monotonic() < deadline:  # commit once the import waits for our row
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                        )
                        if cursor.fetchone()[0]:
                            break
                        time.sleep(0.02)
        except Exception as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections["default"].close()
            done.set()

    writer = threading.Thread(target=concurrent_writer)
    writer.start()
    assert inserted.wait(10)
    assert main_connection.vendor == "postgresql"

    result = import_articles(jsonl(tmp_path, rec("a"), rec("b"), rec("c")), batch_size=10)

    writer.join(30)
    assert done.is_set() and not errors
    assert (result.code, result.summary) == (0, counts(created=2) + ", kept local edits 1")
    assert sorted(Article.objects.values_list("external_id", "headline")) == [
        ("a", "Headline a"),
        ("b", "Written concurrently"),
        ("c", "Headline c"),
    ]


def test_with_debug_on_the_query_log_does_not_grow_with_the_import(tmp_path, settings):
    from django.db import connection

    settings.DEBUG = True  # Django then logs every query, parameters included
    connection.queries_log.clear()

    result = import_articles(
        jsonl(tmp_path, *[rec(str(i), tags=[f"T{i}"]) for i in range(60)]), batch_size=10
    )

    assert result.summary == counts(created=60)
    assert len(connection.queries_log) == 0  # dropped after every batch


@pytest.mark.postgres
def test_existing_articles_are_looked_up_through_the_unique_index(tmp_path):
    """
    The (source, external_id) index is partial; a lookup without its predicate cannot use it, and at
    100,000 articles every batch scanned the whole table. With sequential scans disabled, the plan of
    the import's lookup must be an index scan.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path = jsonl(tmp_path, rec("a"), rec("b"))
    import_articles(path)
    with CaptureQueriesContext(connection) as queries:
        import_articles(path)
    [lookup] = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + lookup)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "articles_article_unique_source_external_id" in plan, plan


def test_skipped_items_are_counted_per_format_and_kind(tmp_path, monkeypatch):
    from ingest.importers import FORMATS

    monkeypatch.setitem(FORMATS, "lines", "tests.ingest.skipping_format")
    path = write(tmp_path / "x.lines", "article 1\npage 2\nattachment 3\npage 4\narticle 5\n")

    result = import_articles(path, format="lines")

    assert (result.code, result.errors) == (0, [])
    assert result.summary == counts(created=2) + ", skipped lines attachment 1, skipped lines page 2"


class TestSearchVectorsOfImports:
    """
    On PostgreSQL the importer writes the search vectors itself (in the INSERT, tag names included) and
    tells the triggers to leave them alone for its transaction. The result must be the document the
    triggers would have computed, for new and for updated articles, and only for the importer's rows.
    """

    STALE = (
        "SELECT count(*) FROM articles_article WHERE search_vector IS NULL"
        " OR strip(search_vector) <> strip(articles_search_document(id, headline, dek, body))"
    )

    def stale(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(self.STALE)
            return cursor.fetchone()[0]

    @pytest.mark.postgres
    @pytest.mark.parametrize("db_fixture", ["db", "transactional_db"], ids=["in-transaction", "background"])
    def test_imported_and_reimported_articles_are_searchable_by_every_part(
        self, tmp_path, request, db_fixture
    ):
        from search.query import search

        request.getfixturevalue(db_fixture)
        path = jsonl(
            tmp_path,
            rec("s1", "Harbour bridge reopens", dek="Ferries resume", body_html="<p>Cormorants nest.</p>",
                tags=["Lisbon Council"], status="published"),
            rec("s2", "Budget vote delayed", tags=["lisbon council", "Finance"], status="published"),
        )  # fmt: skip
        assert import_articles(path, batch_size=1).summary == counts(created=2)
        assert self.stale() == 0
        for query, expected in [("harbour", ["s1"]), ("ferries", ["s1"]), ("cormorants", ["s1"]),
                                ("council", ["s1", "s2"]), ("finance", ["s2"])]:  # fmt: skip
            assert sorted(a.external_id for a in search(Article.objects.published(), query)) == expected, (
                query
            )

        changed = jsonl(
            tmp_path,
            rec("s1", "Harbour bridge reopens", body_html="<p>Herons nest.</p>", tags=["Ports"],
                status="published"),
        )  # fmt: skip
        assert import_articles(changed).summary == counts(updated=1)
        assert self.stale() == 0
        assert [a.external_id for a in search(Article.objects.published(), "herons")] == ["s1"]
        assert list(search(Article.objects.published(), "cormorants")) == [] and [
            a.external_id for a in search(Article.objects.published(), "ports")
        ] == ["s1"]

    @pytest.mark.postgres
    def test_outside_the_importer_the_triggers_keep_vectors_current(self, tmp_path):
        import_articles(jsonl(tmp_path, rec("t1", tags=["Alpha"], status="published")))
        article = Article.objects.get()
        article.headline = "Completely different words"
        article.save()
        article.tags.add("Omega")
        assert self.stale() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_background_writer_reports_every_failure_counts_every_outcome_and_closes_its_connection(
    tmp_path,
):
    records = [rec(str(i)) if i % 7 else rec(str(i), "x" * 400) for i in range(1, 60)]
    path = jsonl(tmp_path, *records)
    others_before = _other_backends()

    result = import_articles(path, batch_size=5)

    bad = [i for i in range(1, 60) if i % 7 == 0]
    assert result.code == 1
    assert result.summary == counts(created=59 - len(bad), failed=len(bad))
    assert sorted(int(line.split(":")[1]) for line in result.errors if "headline is" in line) == bad
    assert not [t for t in threading.enumerate() if t.name.startswith("import-")]
    # The pipeline's connections are closed. (Other tests' threads may have left connections that the
    # garbage collector has not closed yet: only new ones count.)
    assert _other_backends() - others_before == set()


def _other_backends():
    """The pids of the other PostgreSQL sessions on the test database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {pid for (pid,) in cursor.fetchall()}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_article_the_database_refuses_is_reported_with_the_databases_reason(tmp_path):
    """A refusal only the database can give (here a trigger of the test's) fails that article alone."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            " RAISE EXCEPTION 'refused by the test trigger'; END $$;"
            "CREATE TRIGGER test_refuse BEFORE INSERT ON articles_article FOR EACH ROW"
            " WHEN (NEW.headline = 'Refused') EXECUTE FUNCTION test_refuse()"
        )
    try:
        result = import_articles(jsonl(tmp_path, rec("a"), rec("b", "Refused"), rec("c")), batch_size=10)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER test_refuse ON articles_article; DROP FUNCTION test_refuse()")

    assert (result.code, result.summary) == (1, counts(created=2, failed=1))
    [error] = result.errors[:1]
    assert ":2: not saved: refused by the test trigger" in error, result.errors
    assert sorted(Article.objects.values_list("external_id", flat=True)) == ["a", "c"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_body_too_long_to_index_fails_that_article_only(tmp_path):
    # PostgreSQL refuses a tsvector over 1 MB: only the database can tell, while writing.
    words = " ".join(f"w{i:07d}x" for i in range(130_000))
    path = jsonl(tmp_path, rec("a"), rec("huge", body_html=f"<p>{words}</p>"), rec("c"), rec("d"))

    result = import_articles(path, batch_size=2)

    assert (result.code, result.summary) == (1, counts(created=3, failed=1))
    assert ":2: not saved:" in result.errors[0] and "too long for tsvector" in result.errors[0]
    assert sorted(Article.objects.values_list("external_id", flat=True)) == ["a", "c", "d"]
