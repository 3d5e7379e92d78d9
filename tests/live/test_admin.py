"""
The desk's live blog in the admin: one step to add an update (the desk page's quick form, the article form's
inline), edits and deletions keep revisions and are audited, reporters edit only their own updates, and
ending the coverage; every save reaches the public page at once.
"""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from articles.models import Status
from live.models import LiveCoverage, LiveUpdate, LiveUpdateRevision
from tests.desk.admin_helpers import change_url
from tests.factories import make_author
from tests.live.helpers import add_update, article_form_with_update, make_live_article
from tests.shared_fixtures import make_user

pytestmark = pytest.mark.django_db

ADD = "/admin/live/liveupdate/add/"


def desk_page(article):
    return reverse("admin:live_livecoverage_change", args=[article.pk])


def test_the_quick_form_adds_a_published_update_in_one_step_and_returns_to_the_desk_page(client, editor):
    author = make_author("Priya Raman", user=editor)
    article, _ = make_live_article()
    client.force_login(editor)
    assert client.get(article.get_absolute_url()).status_code == 200  # cached before the update

    page = client.get(desk_page(article))
    assert page.status_code == 200 and b"Add an update" in page.content
    response = client.post(
        f"{ADD}?article={article.pk}",
        {"article": article.pk, "headline": "Polls close", "body": "Counting starts.", "publish_now": "on"},
    )

    assert response.status_code == 302 and response["Location"] == desk_page(article)
    update = LiveUpdate.objects.get()
    assert (update.article, update.author, update.created_by) == (article, author, editor)
    assert update.body == "<p>Counting starts.</p>" and update.published_at is not None
    client.logout()
    assert b"Counting starts." in client.get(article.get_absolute_url()).content
    assert LogEntry.objects.get_for_object(update).get().actor == editor


def test_a_bad_update_is_refused_with_the_reason_and_nothing_is_saved(client, editor):
    article, _ = make_live_article()
    client.force_login(editor)
    response = client.post(f"{ADD}?article={article.pk}", {"article": article.pk, "body": "  "})
    assert response.status_code == 200
    assert "An update needs some text, an image or an embed URL." in response.content.decode()
    assert LiveUpdate.objects.count() == 0


def test_edits_and_deletions_in_the_admin_keep_revisions_with_who_made_them(client, editor):
    article, _ = make_live_article()
    update = add_update(article, "<p>Turnout 61%</p>", headline="Turnout")
    client.force_login(editor)
    data = {
        "article": article.pk,
        "headline": "Turnout",
        "body": "<p>Turnout 63%</p>",
        "published_at_0": update.published_at.strftime("%Y-%m-%d"),
        "published_at_1": update.published_at.strftime("%H:%M:%S"),
    }
    response = client.post(reverse("admin:live_liveupdate_change", args=[update.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(reverse("admin:live_liveupdate_change", args=[update.pk])).content.decode()
    assert "Turnout 61%" in page  # the previous version, on the update's form

    response = client.post(reverse("admin:live_liveupdate_delete", args=[update.pk]), {"post": "yes"})
    assert response.status_code == 302 and response["Location"] == desk_page(article)
    revisions = LiveUpdateRevision.objects.order_by("pk")
    assert list(revisions.values_list("action", "user", "snapshot__body")) == [
        ("edited", editor.pk, "<p>Turnout 61%</p>"),
        ("deleted", editor.pk, "<p>Turnout 63%</p>"),
    ]


def test_a_reporter_edits_their_own_updates_only(client, reporter, other_reporter):
    article, _ = make_live_article()
    own = add_update(article, "<p>Mine</p>", created_by=reporter)
    theirs = add_update(article, "<p>Theirs</p>", created_by=other_reporter)
    client.force_login(reporter)
    assert client.get(reverse("admin:live_liveupdate_change", args=[own.pk])).status_code == 200
    theirs_page = client.get(reverse("admin:live_liveupdate_change", args=[theirs.pk]))
    assert b'name="body"' not in theirs_page.content  # view only, no form to save
    response = client.post(reverse("admin:live_liveupdate_change", args=[theirs.pk]), {"body": "x"})
    assert response.status_code == 403
    assert client.post(reverse("admin:live_livecoverage_end", args=[article.pk])).status_code == 403


def test_the_article_form_has_the_live_updates_inline_for_a_live_article_only(client, editor):
    article, _ = make_live_article(status=Status.DRAFT)
    client.force_login(editor)
    assert b"live_updates-TOTAL_FORMS" in client.get(change_url(article)).content
    ordinary = make_live_article("Ordinary")[0]
    LiveCoverage.objects.filter(article=ordinary).delete()
    assert b"live_updates-TOTAL_FORMS" not in client.get(change_url(ordinary)).content

    data = article_form_with_update(article, body="From the article form.", publish_now="on")
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    update = LiveUpdate.objects.get(article=article)
    assert update.body == "<p>From the article form.</p>" and update.created_by == editor


def test_ending_the_coverage_from_the_desk_page_shows_on_the_public_page(client, editor):
    article, coverage = make_live_article()
    add_update(article)
    assert b"Coverage ended" not in client.get(article.get_absolute_url()).content
    client.force_login(editor)
    response = client.post(reverse("admin:live_livecoverage_end", args=[article.pk]))
    assert response.status_code == 302
    coverage.refresh_from_db()
    assert coverage.state == "ended" and coverage.ended_at
    client.logout()
    assert b"Coverage ended" in client.get(article.get_absolute_url()).content


@pytest.mark.parametrize("count", [1, 50])
def test_the_desk_page_and_the_live_blog_list_make_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, count
):
    user = make_user("ed2", "Editor")
    article, _ = make_live_article()
    for n in range(count):
        add_update(article, f"<p>Update {n}</p>", created_by=user)
    client.force_login(user)
    with django_assert_max_num_queries(20):
        assert client.get(desk_page(article)).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/admin/live/livecoverage/").status_code == 200
