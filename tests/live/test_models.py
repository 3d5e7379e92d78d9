"""Live updates as stored: sanitized bodies, what readers see, a revision for every edit and deletion."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.models import Status
from live.models import LiveUpdate, LiveUpdateRevision
from tests.live.helpers import add_update, make_live_article
from tests.shared_fixtures import make_user

pytestmark = pytest.mark.django_db


def test_the_body_is_sanitized_like_an_article_body_and_plain_text_becomes_paragraphs():
    article, _ = make_live_article()
    hostile = add_update(
        article, "<p onclick='x()'>Hi<script>alert(1)</script> <a href='javascript:x'>l</a></p>"
    )
    plain = add_update(article, "First line.\n\nSecond paragraph.")
    assert hostile.body == '<p>Hi <a rel="noopener noreferrer">l</a></p>'
    assert plain.body == "<p>First line.</p>\n\n<p>Second paragraph.</p>"


def test_readers_see_only_published_updates_of_published_articles():
    article, _ = make_live_article()
    shown = add_update(article, "<p>Shown</p>", minutes_ago=5)
    add_update(article, "<p>Draft</p>", published_at=None)
    draft_article, _ = make_live_article("Planned live blog", status=Status.DRAFT)
    add_update(draft_article, "<p>Of a draft article</p>")
    assert list(LiveUpdate.objects.visible()) == [shown]


def test_an_update_cannot_be_published_in_the_future_and_needs_content():
    article, _ = make_live_article()
    update = LiveUpdate(
        article=article, body="<p>x</p>", published_at=timezone.now() + datetime.timedelta(hours=1)
    )
    with pytest.raises(ValidationError) as error:
        update.full_clean()
    assert "cannot be published in the future" in str(error.value)
    with pytest.raises(ValidationError) as error:
        LiveUpdate(article=article, body="<p> </p>").full_clean()
    assert "needs some text, an image or an embed URL" in str(error.value)


def test_every_edit_and_deletion_keeps_the_text_it_replaced_with_who_did_it():
    article, _ = make_live_article()
    editor = make_user("night-editor")
    update = add_update(article, "<p>Turnout is 61%.</p>")
    update.body = "<p>Turnout is 63%.</p>"
    update.save(by=editor)
    update.save(by=editor)  # nothing changed: no revision
    update_id = update.pk
    update.delete(by=editor)

    revisions = list(LiveUpdateRevision.objects.order_by("pk"))
    assert [(r.update_id, r.action, r.snapshot["body"], r.user) for r in revisions] == [
        (update_id, "edited", "<p>Turnout is 61%.</p>", editor),
        (update_id, "deleted", "<p>Turnout is 63%.</p>", editor),
    ]
    assert not LiveUpdate.objects.filter(pk=update_id).exists()


def test_a_bulk_delete_keeps_every_deleted_text_too():
    article, _ = make_live_article()
    add_update(article, "<p>One</p>")
    add_update(article, "<p>Two</p>")
    LiveUpdate.objects.filter(article=article).delete()
    assert sorted(r.text for r in LiveUpdateRevision.objects.filter(action="deleted")) == ["One", "Two"]


def test_ending_the_coverage_records_when_and_resuming_clears_it():
    _, coverage = make_live_article()
    coverage.end()
    coverage.refresh_from_db()
    assert coverage.state == "ended" and coverage.ended_at is not None
    coverage.resume()
    coverage.refresh_from_db()
    assert coverage.is_live and coverage.ended_at is None
