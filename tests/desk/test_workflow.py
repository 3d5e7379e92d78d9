"""desk.workflow: transitions, permissions, pre-publish checks, notifications and signals."""

import datetime
import re
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from articles import signals
from articles.models import Article, Correction, Status
from desk import workflow
from desk.models import Transition
from tests.factories import make_article
from tests.shared_fixtures import make_ready_article

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def act(action, article, user, **kwargs):
    return workflow.perform(action, article, user, **kwargs)


def test_reporter_submits_own_draft_and_the_transition_is_logged(reporter, ready_article):
    article = act("submit", ready_article, reporter, comment="Ready")

    assert article.status == Status.IN_REVIEW
    t = Transition.objects.get(article=article)
    assert (t.actor, t.action, t.from_status, t.to_status, t.comment) == (
        reporter,
        "submit",
        "draft",
        "in_review",
        "Ready",
    )


def test_reporter_cannot_submit_another_reporters_draft(other_reporter, ready_article):
    with pytest.raises(workflow.ActionNotAllowed, match="may not submit"):
        act("submit", ready_article, other_reporter)
    assert Article.objects.get(pk=ready_article.pk).status == Status.DRAFT
    assert not Transition.objects.exists()


def test_action_in_the_wrong_state_is_refused_with_the_reason(publisher, ready_article):
    with pytest.raises(workflow.ActionNotAllowed, match="not possible while the article is draft"):
        act("publish", ready_article, publisher)


def test_request_changes_needs_a_comment_and_emails_the_byline(
    reporter, editor, django_capture_on_commit_callbacks, worker
):
    article = make_ready_article(reporter, status=Status.IN_REVIEW)
    with pytest.raises(workflow.WorkflowError, match="comment is required"):
        act("request_changes", article, editor)

    with django_capture_on_commit_callbacks(execute=True):
        act("request_changes", article, editor, comment="Needs a second source")

    assert Article.objects.get(pk=article.pk).status == Status.DRAFT
    worker()  # the notification e-mail is the worker's task
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reporter-author@example.com"]
    assert "Changes requested" in mail.outbox[0].subject
    assert "Needs a second source" in mail.outbox[0].body


def test_approval_belongs_to_a_revision_and_an_edit_withdraws_it(reporter, editor, publisher):
    article = make_ready_article(reporter, status=Status.IN_REVIEW)
    article = act("approve", article, editor)
    assert workflow.is_approved(article)
    assert [a.name for a in workflow.available_actions(publisher, article)][:2] == [
        "request_changes",
        "publish",
    ]

    article.headline = "Edited after approval"
    article.save()
    workflow.record_revision(article, editor)

    assert not workflow.is_approved(article)
    with pytest.raises(workflow.ActionNotAllowed, match="not approved"):
        act("publish", article, publisher)


def test_publish_publishes_the_approved_revision_and_notifies(
    reporter, editor, publisher, django_capture_on_commit_callbacks, worker
):
    article = make_ready_article(reporter, status=Status.IN_REVIEW)
    act("approve", article, editor)
    published = []
    receiver = lambda sender, article, action, actor, **kw: published.append((article.pk, action))  # noqa: E731
    signals.article_published.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            article = act("publish", article, publisher)
    finally:
        signals.article_published.disconnect(receiver)

    assert article.status == Status.PUBLISHED
    assert article.published_at is not None
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert published == [(article.pk, "publish")]
    worker()  # the notification e-mail is the worker's task
    assert "Published" in mail.outbox[0].subject


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"body": "<p> &nbsp; </p>"}, "the body is empty"),
        ({"headline": "   "}, "the headline is empty"),
        ({"section": None}, "no section is chosen"),
    ],
)
def test_pre_publish_errors_block_even_with_override(reporter, publisher, change, error):
    article = make_ready_article(
        reporter, status=Status.IN_REVIEW, approved=True, approver=publisher, **change
    )
    with pytest.raises(workflow.ChecksFailed, match=error):
        act("publish", article, publisher, override_warnings=True)
    assert Article.objects.get(pk=article.pk).status == Status.IN_REVIEW


def test_an_article_without_byline_cannot_be_published(reporter, publisher):
    article = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher)
    article.bylines.all().delete()
    with pytest.raises(workflow.ChecksFailed, match="there is no byline"):
        act("publish", article, publisher, override_warnings=True)


def test_warnings_block_until_overridden(reporter, publisher):
    article = make_ready_article(
        reporter, status=Status.IN_REVIEW, approved=True, approver=publisher, dek="", headline="x" * 111
    )
    article.tags.clear()
    with pytest.raises(workflow.ChecksFailed) as caught:
        act("publish", article, publisher)
    assert caught.value.errors == []
    assert caught.value.warnings == [
        "there are no tags",
        "there is no dek",
        "the headline is longer than 110 characters",
    ]

    assert act("publish", article, publisher, override_warnings=True).status == Status.PUBLISHED


def test_schedule_needs_a_future_time_and_sets_published_at(reporter, publisher):
    article = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher)
    with pytest.raises(workflow.WorkflowError, match="not in the future"):
        act("schedule", article, publisher, publish_at=timezone.now() - datetime.timedelta(minutes=1))

    when = timezone.now() + datetime.timedelta(hours=2)
    article = act("schedule", article, publisher, publish_at=when)

    assert (article.status, article.publish_at, article.published_at) == (Status.SCHEDULED, when, when)


def test_scheduled_article_is_visible_at_publish_at_and_not_a_second_before(reporter, publisher):
    when = (timezone.now() + datetime.timedelta(hours=1)).replace(microsecond=0)
    article = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher)
    act("schedule", article, publisher, publish_at=when)

    assert (
        not Article.objects.published(now=when - datetime.timedelta(seconds=1)).filter(pk=article.pk).exists()
    )
    assert Article.objects.published(now=when).filter(pk=article.pk).exists()


def test_unschedule_returns_it_to_review_and_off_the_clock(reporter, publisher):
    article = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher)
    act("schedule", article, publisher, publish_at=timezone.now() + datetime.timedelta(hours=1))
    article = act("unschedule", article, publisher)
    assert (article.status, article.publish_at, article.published_at) == (Status.IN_REVIEW, None, None)


def test_a_scheduled_article_already_live_is_unpublished_with_a_reason_not_unscheduled(reporter, publisher):
    article = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher)
    act("schedule", article, publisher, publish_at=timezone.now() + datetime.timedelta(hours=1))
    with pytest.raises(workflow.ActionNotAllowed, match="not live yet; unschedule it instead"):
        act("unpublish", article, publisher, comment="Pulled")

    # Its time comes before the scheduler's next run: readers see it, its status is still scheduled.
    past = timezone.now() - datetime.timedelta(minutes=1)
    Article.objects.filter(pk=article.pk).update(publish_at=past, published_at=past)
    article.refresh_from_db()
    assert article.status == Status.SCHEDULED and article.is_published()
    assert "unschedule" not in [a.name for a in workflow.available_actions(publisher, article)]
    with pytest.raises(workflow.ActionNotAllowed, match="already live; unpublish it instead"):
        act("unschedule", article, publisher)

    article = act("unpublish", article, publisher, comment="Embargo broken")

    assert (article.status, article.publish_at, article.published_at) == (Status.UNPUBLISHED, None, past)
    assert not Article.objects.published().filter(pk=article.pk).exists()
    assert article.transitions.latest("pk").comment == "Embargo broken"


def test_legal_hold_blocks_publish_and_schedule_and_a_held_scheduled_article_stays_offline(
    reporter, editor, publisher
):
    article = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher)
    when = timezone.now() + datetime.timedelta(minutes=5)
    article = act("schedule", article, publisher, publish_at=when)
    with pytest.raises(workflow.WorkflowError, match="comment is required"):
        act("hold", article, editor)
    article = act("hold", article, editor, comment="Injunction pending")

    assert article.legal_hold and article.legal_hold_reason == "Injunction pending"
    assert (
        not Article.objects.published(now=when + datetime.timedelta(hours=1)).filter(pk=article.pk).exists()
    )
    with pytest.raises(workflow.ActionNotAllowed, match="legal hold"):
        act("publish", article, publisher)

    article = act("lift_hold", article, editor, comment="Cleared by counsel")
    assert not article.legal_hold
    assert Article.objects.published(now=when).filter(pk=article.pk).exists()


def test_unpublish_needs_a_reason_and_republish_restores(
    reporter, publisher, django_capture_on_commit_callbacks, worker
):
    article = make_ready_article(reporter, status=Status.PUBLISHED, published_at=timezone.now())
    with pytest.raises(workflow.WorkflowError, match="comment is required"):
        act("unpublish", article, publisher)
    offline = []
    receiver = lambda sender, article, action, **kw: offline.append(action)  # noqa: E731
    signals.article_unpublished.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            article = act("unpublish", article, publisher, comment="Legal complaint")
    finally:
        signals.article_unpublished.disconnect(receiver)
    assert offline == ["unpublish"]
    assert article.status == Status.UNPUBLISHED
    assert not Article.objects.published().filter(pk=article.pk).exists()
    worker()  # the notification e-mail is the worker's task
    assert "Unpublished" in mail.outbox[0].subject

    article = act("republish", article, publisher)
    assert Article.objects.published().filter(pk=article.pk).exists()


def test_expected_version_refuses_an_action_on_a_stale_view(reporter, editor):
    article = make_ready_article(reporter, status=Status.IN_REVIEW)
    seen = article.version
    article.headline = "Changed meanwhile"
    article.save()
    with pytest.raises(workflow.WorkflowError, match="changed since you loaded it"):
        act("approve", article, editor, expected_version=seen)


def test_staged_edit_keeps_the_live_version_until_publish_update(reporter, publisher, client):
    article = make_ready_article(reporter, status=Status.PUBLISHED, headline="Live headline")
    snapshot = {**workflow.snapshot_of(article), "headline": "Staged headline"}
    revision = workflow.stage_edit(article, publisher, snapshot)

    assert revision.pending
    assert Article.objects.get(pk=article.pk).headline == "Live headline"
    assert "Live headline" in client.get(article.get_absolute_url()).text

    article = act("publish_update", article, publisher)
    assert article.headline == "Staged headline"
    assert article.updated_at is not None
    assert workflow.pending_revision(article) is None


def test_a_minor_staged_edit_does_not_bump_updated_at(reporter, publisher):
    article = make_ready_article(reporter, status=Status.PUBLISHED)
    workflow.stage_edit(
        article, publisher, {**workflow.snapshot_of(article), "dek": "Typo fixed"}, is_minor=True
    )
    article = act("publish_update", article, publisher)
    assert article.dek == "Typo fixed"
    assert article.updated_at is None


def test_correction_is_shown_on_the_article_and_bumps_updated_at(reporter, publisher, editor, client):
    article = make_ready_article(reporter, status=Status.PUBLISHED)
    with pytest.raises(workflow.ActionNotAllowed):
        workflow.add_correction(article, editor, kind="correction", text="x")
    with pytest.raises(workflow.WorkflowError, match="text is required"):
        workflow.add_correction(article, publisher, kind="correction", text=" ")

    workflow.add_correction(article, publisher, kind="clarification", text="The vote was on Tuesday.")

    article.refresh_from_db()
    assert article.updated_at is not None
    assert list(article.corrections.values_list("kind", "text")) == [
        (Correction.Kind.CLARIFICATION, "The vote was on Tuesday.")
    ]
    page = client.get(article.get_absolute_url()).text
    assert "Clarification" in page and "The vote was on Tuesday." in page
    assert article.revisions.first().comment.startswith("Clarification added")


def test_reporters_list_hides_other_reporters_drafts_unless_they_share_a_byline(reporter, other_reporter):
    own = make_ready_article(reporter)
    theirs = make_ready_article(other_reporter)
    shared = make_ready_article(other_reporter)
    shared.bylines.create(author=reporter.author, position=1)
    live = make_article("Someone's published story")

    visible = set(workflow.visible_articles(reporter).values_list("pk", flat=True))

    assert visible == {own.pk, shared.pk, live.pk}
    assert theirs.pk not in visible


def test_nothing_outside_the_workflow_module_writes_status():
    """Status changes only in desk/workflow.py (importers create articles in their initial state)."""
    pattern = re.compile(r"\.status\s*=[^=]|update\([^)]*\bstatus\s*=|status=Status\.\w+\)\.save")
    offenders = []
    for path in [*ROOT.glob("articles/**/*.py"), *ROOT.glob("authors/**/*.py"), *ROOT.glob("tags/**/*.py")]:
        relative = path.relative_to(ROOT).as_posix()
        # db_triggers.py only reads status in SQL (to keep denormalized visibility columns right).
        exempt = {"desk/workflow.py", "articles/db_triggers.py"}
        if relative in exempt or "/migrations/" in relative or "/importers/" in relative:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


def test_roles_migration_creates_the_three_groups_with_their_permissions():
    from django.contrib.auth.models import Group

    def codes(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    reporter, editor, publisher = codes("Reporter"), codes("Editor"), codes("Publisher")
    assert {"add_article", "change_article"} <= reporter
    assert not {"review_article", "publish_article", "delete_article"} & reporter
    assert "review_article" in editor and "publish_article" not in editor
    assert {"publish_article", "review_article", "delete_article", "add_correction"} <= publisher
