"""Revisions: a full snapshot on every save, readable diffs, restore round trips, bulk snapshots."""

import pytest
from django.db.models import Prefetch

from articles.models import Article, Byline, Revision, Status, snapshot_of
from desk import workflow
from desk.diffs import diff_snapshots
from tests.desk.admin_helpers import change_form_data, change_url
from tests.factories import make_article, make_author, make_section, make_tag
from tests.shared_fixtures import make_ready_article

pytestmark = pytest.mark.django_db


def test_every_admin_save_stores_a_revision_with_who_when_and_a_full_snapshot(client, reporter, editor):
    article = make_ready_article(reporter, headline="First")
    client.force_login(editor)
    client.post(
        change_url(article), change_form_data(article, headline="Second", revision_comment="Tightened")
    )

    latest = article.revisions.first()
    assert (latest.number, latest.user, latest.comment) == (2, editor, "Tightened")
    assert latest.snapshot["headline"] == "Second"
    assert latest.snapshot["bylines"] == [
        {
            "author": reporter.author.pk,
            "author_name": reporter.author.name,
            "role": "reporting",
            "position": 0,
        }
    ]
    assert latest.snapshot["tags"] == [t.name for t in article.tags.all()]


def test_restore_round_trip_brings_back_fields_ordered_bylines_and_tags(client, reporter, editor):
    first, second, third = make_author("Ann"), make_author("Ben"), make_author("Cy")
    article = make_article(
        "Original", status=Status.DRAFT, section=make_section(), authors=[first, second], created_by=reporter
    )
    Byline.objects.filter(article=article, author=second).update(role="photos")
    article.tags.add(make_tag("Alpha"), make_tag("Beta"))
    original = workflow.record_revision(article, reporter)
    client.force_login(editor)
    client.post(
        change_url(article),
        change_form_data(
            article,
            headline="Rewritten",
            tags="Gamma",
            bylines=[
                *(
                    {
                        "id": b.pk,
                        "author": b.author_id,
                        "role": b.role,
                        "position": b.position,
                        "DELETE": "on",
                    }
                    for b in article.bylines.all()
                ),
                {"author": third.pk, "role": "writing", "position": 0},
            ],
        ),
    )
    article.refresh_from_db()
    assert [b.author for b in article.bylines.all()] == [third]

    response = client.post(f"/admin/articles/article/{article.pk}/revisions/{original.number}/restore/")

    assert response.status_code == 302
    article = Article.objects.get(pk=article.pk)
    assert article.headline == "Original"
    assert [(b.author.name, b.role, b.position) for b in article.bylines.all()] == [
        ("Ann", "reporting", 0),
        ("Ben", "photos", 1),
    ]
    assert sorted(article.tags.names()) == ["Alpha", "Beta"]
    numbers = list(article.revisions.values_list("number", flat=True))
    assert numbers == [3, 2, 1]  # restoring made a new revision; nothing was erased
    restored = article.revisions.first()
    assert restored.comment == "Restored revision 1"
    assert restored.snapshot == original.snapshot


def test_restoring_on_a_published_article_stages_it(reporter, publisher):
    article = make_ready_article(reporter, status=Status.PUBLISHED, headline="Live")
    old = article.revisions.get()
    workflow.stage_edit(article, publisher, {**snapshot_of(article), "headline": "Edited"})
    article = workflow.perform("publish_update", article, publisher)

    new = workflow.restore_revision(article, old, publisher)

    assert new.pending
    assert Article.objects.get(pk=article.pk).headline == "Edited"


def test_history_page_shows_a_readable_diff_between_any_two_revisions(client, reporter, editor):
    article = make_ready_article(reporter, headline="Before", body="<p>One.</p><p>Two.</p>")
    client.force_login(editor)
    client.post(
        change_url(article), change_form_data(article, headline="After", body="<p>One.</p><p>Three.</p>")
    )

    page = client.get(f"/admin/articles/article/{article.pk}/revisions/", {"a": 1, "b": 2}).text

    assert "Changes from revision 1 to revision 2" in page
    assert "<del>Before</del>" in page and "<ins>After</ins>" in page
    assert "<del>Two.</del>" in page and "<ins>Three.</ins>" in page
    assert client.get(f"/admin/articles/article/{article.pk}/revisions/", {"a": 1, "b": 9}).status_code == 404


def test_diff_lists_only_changed_fields():
    old = {"headline": "A", "dek": "", "body": "<p>x</p>", "tags": ["t1"], "bylines": []}
    new = {**old, "tags": ["t1", "t2"]}
    assert diff_snapshots(old, new) == [("Tags", [(" ", "t1"), ("+", "t2")])]


def test_snapshots_of_prefetched_articles_need_no_queries_and_latest_numbers_one(
    django_assert_num_queries,
):
    authors = [make_author() for _ in range(3)]
    tags = [make_tag() for _ in range(3)]
    for _ in range(10):
        make_article(section=make_section(), authors=authors, tags=tags)
    articles = list(
        Article.objects.select_related("section").prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author")), "tagged_items__tag"
        )
    )
    with django_assert_num_queries(0):
        snapshots = [snapshot_of(a) for a in articles]
    assert all(len(s["bylines"]) == 3 and len(s["tags"]) == 3 for s in snapshots)

    with django_assert_num_queries(1):
        assert Revision.latest_numbers([a.pk for a in articles]) == {}
    Revision.objects.bulk_create(
        Revision(article=a, number=1, snapshot=s) for a, s in zip(articles[:2], snapshots[:2], strict=True)
    )
    assert Revision.latest_numbers([a.pk for a in articles]) == {articles[0].pk: 1, articles[1].pk: 1}
