"""The article admin as the newsroom's desk, over HTTP: the permission matrix, actions, staged edits,
notes, corrections, tags, filters, dashboard and the query counts of its pages."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from articles.models import Article, Revision, Status
from desk import workflow
from desk.models import Note, Transition
from tags.models import Tag
from tests.desk.admin_helpers import action_url, change_form_data, change_url
from tests.factories import make_article, make_author, make_section, make_tag
from tests.shared_fixtures import make_ready_article, make_user

pytestmark = pytest.mark.django_db

ACTIONS = list(workflow.ACTIONS)
ALL_STATES = [
    "draft",
    "in_review",
    "in_review_approved",
    "in_review_approved_held",
    "scheduled",
    "published",
    "published_pending",
    "unpublished",
]
# The specification, written out independently of desk.workflow: what each role may do in each state.
# (Reporters act on their own article; "submit" means any role that may edit the draft.)
PUBLISHER = {
    "draft": {"submit", "hold"},
    "in_review": {"request_changes", "approve", "hold"},
    "in_review_approved": {"request_changes", "publish", "schedule", "hold"},
    "in_review_approved_held": {"request_changes", "lift_hold"},
    "scheduled": {"publish", "unschedule", "hold"},
    "published": {"unpublish", "hold"},
    "published_pending": {"unpublish", "publish_update", "discard_update", "hold"},
    "unpublished": {"republish", "hold"},
}
ALLOWED = {
    "reporter": {"draft": {"submit"}},
    "editor": {
        "draft": {"submit", "hold"},
        "in_review": {"request_changes", "approve", "hold"},
        "in_review_approved": {"request_changes", "hold"},
        "in_review_approved_held": {"request_changes", "lift_hold"},
        "scheduled": {"hold"},
        "published": {"hold"},
        "published_pending": {"hold"},
        "unpublished": {"hold"},
    },
    "publisher": PUBLISHER,
    "superuser": PUBLISHER,
}
# Where each allowed action leads.
RESULT = {
    "submit": Status.IN_REVIEW,
    "request_changes": Status.DRAFT,
    "publish": Status.PUBLISHED,
    "schedule": Status.SCHEDULED,
    "unschedule": Status.IN_REVIEW,
    "unpublish": Status.UNPUBLISHED,
    "republish": Status.PUBLISHED,
}


def article_in(state, reporter, publisher):
    status = Status(state.split("_pending")[0].split("_approved")[0])
    article = make_ready_article(
        reporter, status=status, approved=state != "in_review", approver=publisher, legal_hold="held" in state
    )
    if status == Status.SCHEDULED:
        future = timezone.now() + datetime.timedelta(days=1)
        Article.objects.filter(pk=article.pk).update(publish_at=future, published_at=future)
    if state == "published_pending":
        workflow.stage_edit(article, publisher, {**workflow.snapshot_of(article), "headline": "Pending"})
    return Article.objects.get(pk=article.pk)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("role", list(ALLOWED))
def test_permission_matrix_over_http(client, users, role, state, action, django_capture_on_commit_callbacks):
    article = article_in(state, users["reporter"], users["publisher"])
    before = (article.status, article.version, article.legal_hold, Transition.objects.count())
    client.force_login(users[role])
    data = {
        "comment": "Because",
        "override_warnings": "1",
        "publish_at": (timezone.localtime() + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(article, action), data)

    after = Article.objects.get(pk=article.pk)
    if action in ALLOWED[role].get(state, set()):
        assert response.status_code == 302, response.text[:500]
        assert Transition.objects.filter(article=article, action=action, actor=users[role]).exists()
        assert after.status == RESULT.get(action, before[0])
        assert after.version > article.version
    else:
        assert response.status_code == 403
        assert (after.status, after.version, after.legal_hold, Transition.objects.count()) == before


@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("state", ALL_STATES)
def test_change_page_offers_exactly_the_allowed_actions(client, users, role, state):
    article = article_in(state, users["reporter"], users["publisher"])
    client.force_login(users[role])

    response = client.get(change_url(article))

    assert response.status_code == 200  # reporters see their own articles in every state
    offered = set(re.findall(r'data-action="(\w+)"', response.text))
    assert offered == ALLOWED[role].get(state, set())


def test_a_get_to_an_action_url_changes_nothing(client, users):
    article = article_in("in_review", users["reporter"], users["publisher"])
    client.force_login(users["editor"])
    assert client.get(action_url(article, "approve")).status_code == 405
    assert not Transition.objects.exists()


def test_failed_checks_redirect_with_the_reason_and_change_nothing(client, users):
    article = article_in("in_review_approved", users["reporter"], users["publisher"])
    Article.objects.filter(pk=article.pk).update(body="")
    client.force_login(users["publisher"])

    response = client.post(action_url(article, "publish"), {"override_warnings": "1"}, follow=True)

    assert "the body is empty" in response.text
    assert Article.objects.get(pk=article.pk).status == Status.IN_REVIEW


def test_warnings_need_the_override_box(client, users):
    article = article_in("in_review_approved", users["reporter"], users["publisher"])
    Article.objects.filter(pk=article.pk).update(dek="")
    client.force_login(users["publisher"])

    response = client.post(action_url(article, "publish"), {}, follow=True)
    assert "there is no dek" in response.text
    assert Article.objects.get(pk=article.pk).status == Status.IN_REVIEW

    client.post(action_url(article, "publish"), {"override_warnings": "1"})
    assert Article.objects.get(pk=article.pk).status == Status.PUBLISHED


def test_reporter_creates_an_article_in_the_admin_as_a_draft_with_a_first_revision(client, reporter):
    section = make_section("Politics")
    author = make_author("Rep Orter", user=reporter)
    client.force_login(reporter)
    data = change_form_data(
        Article(headline="", section=section),
        headline="Council votes",
        body='<p>Text<script>alert(1)</script> <a href="javascript:alert(1)">x</a></p>',
        section=section.pk,
        tags="Budget, city council",
        bylines=[{"author": author.pk, "role": "reporting", "position": 0}],
    )

    response = client.post("/admin/articles/article/add/", data)

    assert response.status_code == 302, response.text[:1000]
    article = Article.objects.get(headline="Council votes")
    assert article.status == Status.DRAFT
    assert article.created_by == reporter
    assert "script" not in article.body and "javascript" not in article.body
    assert sorted(article.tags.names()) == ["Budget", "city council"]
    assert [r.number for r in article.revisions.all()] == [1]
    assert article.revisions.get().snapshot["bylines"][0]["author"] == author.pk


def test_tag_input_creates_new_tags_and_reuses_existing_ones_case_insensitively(client, users):
    existing = make_tag("Donald Trump")
    article = article_in("draft", users["reporter"], users["publisher"])
    client.force_login(users["editor"])

    response = client.post(
        change_url(article), change_form_data(article, tags='donald trump, "Paris, France"')
    )

    assert response.status_code == 302
    assert sorted(t.pk for t in article.tags.all() if t.name == "Donald Trump") == [existing.pk]
    assert sorted(article.tags.names()) == ["Donald Trump", "Paris, France"]
    assert Tag.objects.filter(name__iexact="donald trump").count() == 1


def test_tag_suggestions_autocomplete_existing_names(client, users):
    for name in ["Russia", "Russian Armed Forces", "Belarus", "Prussia"]:
        make_tag(name)
    client.force_login(users["reporter"])

    response = client.get("/admin/articles/article/tag-suggestions/", {"q": "rus"})

    assert response.json() == {"results": ["Russia", "Russian Armed Forces", "Belarus", "Prussia"]}


def test_change_form_renders_the_prose_editor_with_our_label_script_and_tag_input(client, users):
    article = article_in("draft", users["reporter"], users["publisher"])
    client.force_login(users["editor"])
    page = client.get(change_url(article)).text
    assert "data-django-prose-editor-configurable" in page
    assert "articles/admin/workflow.js" in page
    assert 'list="tag-suggestions"' in page
    assert 'name="loaded_version"' in page


def test_editing_a_published_article_stages_a_pending_revision(client, users):
    article = article_in("published", users["reporter"], users["publisher"])
    live_url = article.get_absolute_url()
    client.force_login(users["publisher"])

    response = client.post(change_url(article), change_form_data(article, headline="Staged headline"))

    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).headline != "Staged headline"
    assert "Staged headline" not in client.get(live_url).text
    pending = workflow.pending_revision(article)
    assert pending.snapshot["headline"] == "Staged headline"
    # The change form continues the pending edit, not the live text.
    assert 'value="Staged headline"' in client.get(change_url(article)).text

    client.post(action_url(article, "publish_update"), {"override_warnings": "1"})
    article.refresh_from_db()
    assert article.headline == "Staged headline"
    assert article.updated_at is not None


def test_pending_byline_changes_survive_another_staged_save(client, users):
    article = article_in("published", users["reporter"], users["publisher"])
    second = make_author("Second Author")
    client.force_login(users["publisher"])
    bylines = [
        {"id": b.pk, "author": b.author_id, "role": b.role, "position": b.position}
        for b in article.bylines.all()
    ] + [{"author": second.pk, "role": "additional_reporting", "position": 1}]
    client.post(change_url(article), change_form_data(article, bylines=bylines))

    # Second save from the form as displayed (bylines now come from the pending snapshot).
    page = client.get(change_url(article)).text
    assert f'<option value="{second.pk}" selected>' in page
    pending = workflow.pending_revision(article)
    again = [
        {"author": b["author"], "role": b["role"], "position": b["position"]}
        for b in pending.snapshot["bylines"]
    ]
    article.refresh_from_db()
    client.post(change_url(article), change_form_data(article, bylines=again, dek="New dek"))

    latest = workflow.pending_revision(article)
    assert latest.snapshot["dek"] == "New dek"
    assert [b["author"] for b in latest.snapshot["bylines"]] == [users["reporter"].author.pk, second.pk]
    assert article.bylines.count() == 1  # live bylines untouched


def test_save_and_publish_update_makes_the_edit_live_at_once(client, users):
    article = article_in("published", users["reporter"], users["publisher"])
    client.force_login(users["publisher"])
    client.post(change_url(article), change_form_data(article, dek="Fresh dek", _publish_update="1"))
    article.refresh_from_db()
    assert article.dek == "Fresh dek"
    assert workflow.pending_revision(article) is None


def test_editor_cannot_edit_a_published_article(client, users):
    article = article_in("published", users["reporter"], users["publisher"])
    client.force_login(users["editor"])
    response = client.post(change_url(article), change_form_data(article, headline="Editor edit"))
    assert response.status_code == 403
    assert not Revision.objects.filter(article=article, pending=True).exists()


def test_reporter_cannot_post_to_another_reporters_draft(client, users, other_reporter):
    article = article_in("draft", users["reporter"], users["publisher"])
    client.force_login(other_reporter)
    response = client.post(change_url(article), change_form_data(article, headline="Hijack"))
    assert response.status_code in (302, 403)
    assert Article.objects.get(pk=article.pk).headline != "Hijack"
    assert client.post(action_url(article, "submit")).status_code == 403


def test_notes_are_internal(client, users):
    article = article_in("in_review", users["reporter"], users["publisher"])
    client.force_login(users["editor"])
    client.post(f"/admin/articles/article/{article.pk}/note/", {"text": "Check the quote in par 3"})
    assert Note.objects.get(article=article).author == users["editor"]
    assert "Check the quote in par 3" in client.get(change_url(article)).text


def test_only_publishers_append_corrections(client, users):
    article = article_in("published", users["reporter"], users["publisher"])
    url = f"/admin/articles/article/{article.pk}/correction/"
    client.force_login(users["editor"])
    assert client.post(url, {"kind": "correction", "text": "Wrong"}).status_code == 403
    client.force_login(users["publisher"])
    client.post(url, {"kind": "correction", "text": "An earlier version misspelt the mayor's name."})
    assert article.corrections.get().text.startswith("An earlier version")
    assert "misspelt the mayor" in client.get(article.get_absolute_url()).text


def test_published_notification_goes_to_byline_emails_including_linked_users(
    client, users, django_capture_on_commit_callbacks, worker
):
    article = article_in("in_review_approved", users["reporter"], users["publisher"])
    colleague = make_user("colleague", "Reporter", email="colleague@example.com")
    article.bylines.create(author=make_author("Colleague", user=colleague), position=1)
    client.force_login(users["publisher"])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(action_url(article, "publish"), {"override_warnings": "1"})

    worker()  # the notification e-mail is the worker's task
    assert mail.outbox[0].to == ["reporter-author@example.com", "colleague@example.com"]


def test_changelist_shows_badges_and_filters(client, users, other_reporter):
    mine = article_in("draft", users["reporter"], users["publisher"])
    theirs = make_ready_article(other_reporter, headline="Their draft")
    client.force_login(users["reporter"])

    page = client.get("/admin/articles/article/").text
    assert mine.headline in page and "Their draft" not in page
    assert '<span class="status-badge status-draft">Draft</span>' in page

    client.force_login(users["editor"])
    assert "Their draft" in client.get("/admin/articles/article/").text
    assert "Their draft" not in client.get("/admin/articles/article/", {"status": "published"}).text
    by_author = client.get("/admin/articles/article/", {"author": other_reporter.author.pk}).text
    assert "Their draft" in by_author and mine.headline not in by_author
    client.force_login(other_reporter)
    mine_page = client.get("/admin/articles/article/", {"mine": "1"}).text
    assert "Their draft" in mine_page and mine.headline not in mine_page
    assert theirs.pk


def populate(count):
    section = make_section()
    authors = [make_author() for _ in range(3)]
    tags = [make_tag() for _ in range(3)]
    for _ in range(count):
        make_article(section=section, authors=authors, tags=tags)


@pytest.mark.parametrize("count", [5, 50])
def test_changelist_queries_do_not_grow_with_articles_authors_and_tags(
    client, users, count, django_assert_max_num_queries
):
    populate(count)
    client.force_login(users["editor"])
    with django_assert_max_num_queries(12):
        response = client.get("/admin/articles/article/")
    assert response.status_code == 200
    assert response.text.count('class="status-badge') == count


def test_changelist_query_count_is_the_same_for_5_and_50_articles(client, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users["editor"])
    counts = []
    for total in (5, 50):
        populate(total - Article.objects.count())
        client.get("/admin/articles/article/")  # warm the session and permission caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/admin/articles/article/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_change_page_query_count(client, users, django_assert_max_num_queries):
    article = article_in("in_review", users["reporter"], users["publisher"])
    for n in range(5):
        article.bylines.create(author=make_author(), position=n + 1)
        article.tags.add(make_tag())
        workflow.record_revision(article, users["editor"])
    client.force_login(users["editor"])
    with django_assert_max_num_queries(40):
        response = client.get(change_url(article))
    assert response.status_code == 200


def test_desk_dashboard_lists_review_queue_schedule_holds_and_recent(
    client, users, django_assert_max_num_queries
):
    old = article_in("in_review", users["reporter"], users["publisher"])
    Article.objects.filter(pk=old.pk).update(
        headline="Oldest in review", modified_at=timezone.now() - datetime.timedelta(days=1)
    )
    article_in("in_review", users["reporter"], users["publisher"])
    scheduled = article_in("scheduled", users["reporter"], users["publisher"])
    held = article_in("in_review_approved_held", users["reporter"], users["publisher"])
    Article.objects.filter(pk=held.pk).update(legal_hold_reason="Court order", headline="Held story")
    published = article_in("published", users["reporter"], users["publisher"])
    client.force_login(users["editor"])

    with django_assert_max_num_queries(10):
        page = client.get("/admin/articles/article/desk/").text

    review = page.split('id="desk-review"')[1].split("</section>")[0]
    assert review.count("<tr><td>") == 3  # the held article is in review too
    assert review.find("Oldest in review") < review.find("<tr><td>", review.find("Oldest in review"))
    assert scheduled.headline in page.split('id="desk-scheduled"')[1].split("</section>")[0]
    assert "Court order" in page.split('id="desk-held"')[1]
    assert published.headline in page.split('id="desk-recent"')[1]


def test_recent_activity_lists_transitions_from_all_articles(client, users, django_assert_max_num_queries):
    for _ in range(3):
        article = article_in("draft", users["reporter"], users["publisher"])
        workflow.perform("submit", article, users["reporter"], comment="Please look")
    client.force_login(users["editor"])
    with django_assert_max_num_queries(8):
        page = client.get("/admin/articles/article/activity/").text
    assert page.count("Please look") == 3


def test_discarding_a_pending_edit_keeps_the_live_version_and_the_history(client, users):
    article = article_in("published_pending", users["reporter"], users["publisher"])
    client.force_login(users["publisher"])

    client.post(action_url(article, "discard_update"))

    assert workflow.pending_revision(article) is None
    assert 'value="Pending"' not in client.get(change_url(article)).text
    comments = list(article.revisions.values_list("comment", flat=True))
    assert comments[0] == "Discarded pending revision 2"
    assert comments[1].endswith("(discarded)")


@pytest.mark.parametrize(("minor", "bumped"), [("on", False), ("", True)])
def test_minor_edit_checkbox_decides_whether_the_public_updated_time_moves(client, users, minor, bumped):
    article = article_in("published", users["reporter"], users["publisher"])
    client.force_login(users["publisher"])

    data = change_form_data(article, dek="Typo fixed", is_minor=minor, _publish_update="1")
    client.post(change_url(article), data)

    article.refresh_from_db()
    assert article.dek == "Typo fixed"
    assert (article.updated_at is not None) is bumped


def test_a_hand_crafted_status_in_the_change_form_is_ignored(client, users):
    article = article_in("draft", users["reporter"], users["publisher"])
    client.force_login(users["reporter"])

    data = change_form_data(article, status="published", published_at="2020-01-01 00:00", legal_hold="on")
    assert client.post(change_url(article), data).status_code == 302

    article.refresh_from_db()
    assert (article.status, article.published_at, article.legal_hold) == (Status.DRAFT, None, False)
