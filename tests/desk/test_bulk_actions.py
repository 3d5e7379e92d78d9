"""Bulk actions on the article list over HTTP: each article goes through the workflow on its own, with the
acting user's permission checked for it, a refused one is left untouched and reported with its reason, and
the queries grow by a bounded number per article."""

import html
import re

import pytest

from articles.models import Article, Status
from desk.models import Transition
from tests.factories import make_section, make_tag
from tests.shared_fixtures import make_ready_article

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/articles/article/"


def run(client, action, articles, **data):
    body = {"action": action, "_selected_action": [a.pk for a in articles], **data}
    response = client.post(CHANGELIST, body, follow=True)
    assert response.status_code == 200
    return (
        [html.unescape(str(m)) for m in response.context["messages"]]
        if "messages" in response.context
        else []
    )


def test_bulk_publish_publishes_approved_articles_and_reports_each_refusal(client, reporter, publisher):
    approved = [
        make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher) for _ in "ab"
    ]
    unapproved = make_ready_article(reporter, status=Status.IN_REVIEW)
    held = make_ready_article(
        reporter, status=Status.IN_REVIEW, approved=True, approver=publisher, legal_hold=True
    )
    draft = make_ready_article(reporter)
    client.force_login(publisher)
    messages = run(client, "bulk_publish", [*approved, unapproved, held, draft])
    assert messages[0] == "Publish: 2 done, 3 refused."
    assert (
        f"“{unapproved.headline}” (#{unapproved.pk}): "
        "Cannot publish now: the current revision is not approved yet" in messages
    )
    assert f"“{held.headline}” (#{held.pk}): Cannot publish now: the article is on legal hold" in messages
    assert (
        f"“{draft.headline}” (#{draft.pk}): Cannot publish now: not possible while the article is draft"
        in messages
    )
    statuses = dict(Article.objects.values_list("pk", "status"))
    assert [statuses[a.pk] for a in approved] == [Status.PUBLISHED] * 2
    assert {statuses[a.pk] for a in (unapproved, held)} == {Status.IN_REVIEW} and statuses[
        draft.pk
    ] == Status.DRAFT
    assert Transition.objects.filter(action="publish").count() == 2


def test_a_reporter_may_not_publish_in_bulk_and_each_article_says_so(client, reporter, publisher):
    article = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher)
    client.force_login(reporter)
    messages = run(client, "bulk_publish", [article])
    assert messages == [
        "Publish: 0 done, 1 refused.",
        f"“{article.headline}” (#{article.pk}): Cannot publish now: you may not publish now this article",
    ]
    assert Article.objects.get(pk=article.pk).status == Status.IN_REVIEW


def test_bulk_unpublish_asks_for_the_reason_first_then_records_it(client, reporter, publisher):
    live = [
        make_ready_article(reporter, status=Status.PUBLISHED, published_at="2026-01-01T10:00Z")
        for _ in range(2)
    ]
    client.force_login(publisher)
    page = client.post(CHANGELIST, {"action": "bulk_unpublish", "_selected_action": [a.pk for a in live]})
    assert page.status_code == 200 and "Unpublish articles" in page.text and 'name="comment"' in page.text
    assert not Article.objects.filter(status=Status.UNPUBLISHED).exists()
    messages = run(client, "bulk_unpublish", live, apply="1", comment="Legal asked")
    assert messages == ["Unpublish: 2 done, 0 refused."]
    assert (
        list(Transition.objects.filter(action="unpublish").values_list("comment", flat=True))
        == ["Legal asked"] * 2
    )


def test_bulk_add_and_remove_tag_go_through_revisions_and_stage_published_ones(
    client, reporter, editor, publisher
):
    tag = make_tag("Elections")
    draft, in_review = make_ready_article(reporter), make_ready_article(reporter, status=Status.IN_REVIEW)
    live = make_ready_article(reporter, status=Status.PUBLISHED, published_at="2026-01-01T10:00Z")
    client.force_login(publisher)
    form = client.post(CHANGELIST, {"action": "bulk_add_tag", "_selected_action": [draft.pk]})
    assert 'name="tag"' in form.text and "Add a tag" in form.text
    messages = run(client, "bulk_add_tag", [draft, in_review, live], apply="1", tag=tag.pk)
    assert messages == [
        "Add tag “Elections”: 3 done (1 published: staged as pending edits until “Publish update”), "
        "0 refused."
    ]
    assert "Elections" in draft.tags.names() and "Elections" in in_review.tags.names()
    assert "Elections" not in live.tags.names()  # readers see the live version until "publish update"
    assert "Elections" in live.revisions.order_by("-number").first().snapshot["tags"]
    assert draft.revisions.order_by("-number").first().comment == "Tag “Elections” added (bulk action)"
    messages = run(client, "bulk_remove_tag", [draft, in_review], apply="1", tag=tag.pk)
    assert messages == ["Remove tag “Elections”: 2 done, 0 refused."]
    assert "Elections" not in draft.tags.names()
    messages = run(client, "bulk_remove_tag", [draft], apply="1", tag=tag.pk)
    assert messages == ["Remove tag “Elections”: 1 done (1 already so, unchanged), 0 refused."]


def test_bulk_change_section_refuses_what_the_user_may_not_edit(
    client, reporter, other_reporter, editor, publisher
):
    world = make_section("World")
    own_draft = make_ready_article(reporter)
    others_draft = make_ready_article(other_reporter)
    scheduled = make_ready_article(reporter, status=Status.SCHEDULED, publish_at="2030-01-01T10:00Z")
    client.force_login(reporter)
    messages = run(client, "bulk_change_section", [own_draft, others_draft], apply="1", section=world.pk)
    # A reporter's list does not contain other reporters' drafts at all: only their own is acted on.
    assert messages == ["Move to World: 1 done, 0 refused."]
    client.force_login(editor)
    messages = run(client, "bulk_change_section", [others_draft, scheduled], apply="1", section=world.pk)
    assert messages == [
        "Move to World: 1 done, 1 refused.",
        f"“{scheduled.headline}” (#{scheduled.pk}): "
        "Cannot edit: it is scheduled (frozen): unschedule it first",
    ]
    sections = dict(Article.objects.values_list("pk", "section__name"))
    assert (
        sections[own_draft.pk] == sections[others_draft.pk] == "World" and sections[scheduled.pk] != "World"
    )


def test_a_missing_choice_shows_the_form_again_and_changes_nothing(client, reporter, publisher):
    draft = make_ready_article(reporter)
    client.force_login(publisher)
    response = client.post(
        CHANGELIST, {"action": "bulk_change_section", "_selected_action": [draft.pk], "apply": "1"}
    )
    assert response.status_code == 200 and "This field is required." in response.text
    assert draft.revisions.count() == 1


@pytest.mark.parametrize("action", ["bulk_publish", "bulk_add_tag"])
def test_the_queries_of_a_bulk_action_grow_by_a_bounded_number_per_article(
    client, reporter, publisher, action, django_assert_max_num_queries
):
    tag = make_tag("Bounded")
    client.force_login(publisher)

    def articles(n):
        return [
            make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher)
            for _ in range(n)
        ]

    data = {"apply": "1", "tag": tag.pk} if action == "bulk_add_tag" else {}
    # Measured on SQLite: publish 13 + 14 per article, add tag 13 + 26 (each article's lock, checks,
    # revision, transition and tags); the list page after the redirect adds a fixed number.
    per_article = {"bulk_publish": 15, "bulk_add_tag": 28}[action]
    for n in (1, 5):
        selected = articles(n)
        with django_assert_max_num_queries(35 + per_article * n):
            messages = run(client, action, selected, **data)
        assert f": {n} done" in messages[0] and messages[0].endswith(", 0 refused.")


# --- publishing over warnings: a confirmation page with each article's warnings ---


def confirm_over_warnings(client, articles, versions=None):
    data = {"apply": "1", "override_warnings": "1"}
    for article in articles:
        version = (versions or {}).get(article.pk, article.version)
        if version is not None:
            data[f"version_{article.pk}"] = version
    return run(client, "bulk_publish", articles, **data)


def test_articles_with_warnings_wait_on_a_confirmation_page_listing_each_ones_warnings(
    client, reporter, publisher
):
    clean = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher)
    no_dek = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher, dek="")
    long = make_ready_article(
        reporter, status=Status.IN_REVIEW, approved=True, approver=publisher, dek="", headline="Long " * 30
    )
    broken = make_ready_article(
        reporter, status=Status.IN_REVIEW, approved=True, approver=publisher, section=None, dek=""
    )
    client.force_login(publisher)

    page = client.post(
        CHANGELIST,
        {"action": "bulk_publish", "_selected_action": [a.pk for a in (clean, no_dek, long, broken)]},
    )

    assert page.status_code == 200 and "Publish over warnings?" in page.text
    text = html.unescape(page.text)
    messages = [html.unescape(str(m)) for m in page.context["messages"]]
    assert messages[0] == "Publish: 1 done, 2 waiting for you to confirm their warnings, 1 refused."
    assert (
        f"“{broken.headline}” (#{broken.pk}): The article cannot be published: no section is chosen"
        in (messages[1])
    )  # errors are never offered for override
    assert f'name="version_{no_dek.pk}" value="{no_dek.version}"' in text
    assert f'name="version_{long.pk}" value="{long.version}"' in text
    selected = re.findall(r'name="_selected_action" value="(\d+)"', text)
    assert selected == [str(no_dek.pk), str(long.pk)]  # neither the published one nor the broken one
    assert "<li>There is no dek</li>" in text and "<li>The headline is longer than" in text
    assert 'name="override_warnings" value="1"' in text and 'value="Publish over warnings"' in text
    statuses = dict(Article.objects.values_list("pk", "status"))
    assert statuses[clean.pk] == Status.PUBLISHED
    assert {statuses[a.pk] for a in (no_dek, long, broken)} == {Status.IN_REVIEW}  # nothing until confirmed

    messages = confirm_over_warnings(client, [no_dek, long])

    assert messages == ["Publish over warnings: 2 done, 0 refused."]
    statuses = dict(Article.objects.values_list("pk", "status"))
    assert statuses[no_dek.pk] == statuses[long.pk] == Status.PUBLISHED
    assert Transition.objects.filter(action="publish").count() == 3


def test_confirming_checks_each_article_again_and_refuses_what_changed_or_may_not_be(
    client, reporter, publisher
):
    warned = [
        make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher, dek="")
        for _ in range(4)
    ]
    changed, held, no_version, fine = warned
    shown = {a.pk: a.version for a in warned} | {no_version.pk: None}
    Article.objects.filter(pk=changed.pk).update(version=changed.version + 1)  # saved by someone meanwhile
    Article.objects.filter(pk=held.pk).update(legal_hold=True)
    client.force_login(publisher)

    messages = confirm_over_warnings(client, warned, shown)

    assert messages[0] == "Publish over warnings: 1 done, 3 refused."
    assert any(
        m.startswith(f"“{changed.headline}” (#{changed.pk}): The article changed since") for m in messages
    )
    assert f"“{held.headline}” (#{held.pk}): Cannot publish now: the article is on legal hold" in messages
    assert (
        f"“{no_version.headline}” (#{no_version.pk}): Its warnings were not on the page you confirmed: "
        "select it again to see them" in messages
    )
    statuses = dict(Article.objects.values_list("pk", "status"))
    assert statuses[fine.pk] == Status.PUBLISHED
    assert {statuses[a.pk] for a in (changed, held, no_version)} == {Status.IN_REVIEW}


def test_errors_are_never_overridden_and_someone_who_may_not_publish_cannot_confirm(
    client, reporter, editor, publisher
):
    broken = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher, body="")
    warned = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher, dek="")
    client.force_login(publisher)
    messages = confirm_over_warnings(client, [broken])  # a forged confirmation of an article with errors
    assert (
        messages[1]
        == f"“{broken.headline}” (#{broken.pk}): The article cannot be published: the body is empty"
    )

    client.force_login(editor)  # editors review and approve; publishing is the publisher's
    messages = confirm_over_warnings(client, [warned])
    assert messages == [
        "Publish over warnings: 0 done, 1 refused.",
        f"“{warned.headline}” (#{warned.pk}): Cannot publish now: you may not publish now this article",
    ]
    assert set(Article.objects.values_list("status", flat=True)) == {Status.IN_REVIEW}
