"""Shareable previews: signed, expiring, revocable links that render the public article template."""

import datetime
import re

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from articles.models import Status
from desk import workflow
from desk.models import PreviewLink
from tests.shared_fixtures import make_ready_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(reporter):
    return make_ready_article(reporter, headline="Secret draft headline", body="<p>Draft body text.</p>")


def share(client, user, article):
    client.force_login(user)
    response = client.post(f"/admin/articles/article/{article.pk}/preview/", follow=True)
    return re.search(r"http://testserver(/preview/[^/\"']+/)", response.text).group(1)


def test_a_draft_is_not_public_but_its_preview_link_works_without_login(client, reporter, draft):
    assert client.get(draft.get_absolute_url()).status_code == 404
    url = share(client, reporter, draft)
    link = PreviewLink.objects.get()
    assert abs(link.expires_at - (timezone.now() + datetime.timedelta(hours=48))) < datetime.timedelta(
        minutes=1
    )

    response = Client().get(url)  # an anonymous reader

    assert response.status_code == 200
    assert "Secret draft headline" in response.text and "<p>Draft body text.</p>" in response.text
    assert 'class="preview-banner"' in response.text
    assert '<meta name="robots" content="noindex, nofollow">' in response.text
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    assert reporter.author.name in response.text  # rendered by the public template: bylines, tags


def test_preview_page_query_count(client, reporter, draft, django_assert_max_num_queries):
    url = share(client, reporter, draft)
    anonymous = Client()
    # The link, then what the public article page needs (related stories, corrections included).
    with django_assert_max_num_queries(9):
        assert anonymous.get(url).status_code == 200


def test_tampered_token_is_a_404(client, reporter, draft):
    url = share(client, reporter, draft)
    token = url.split("/")[2]
    assert Client().get(f"/preview/{token[:-2]}xy/").status_code == 404
    forged = signing.dumps(str(PreviewLink.objects.get().pk), salt="some-other-salt")
    assert Client().get(f"/preview/{forged}/").status_code == 404
    assert Client().get("/preview/not-a-token/").status_code == 404


def test_expired_link_is_a_404(client, reporter, draft):
    url = share(client, reporter, draft)
    PreviewLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert Client().get(url).status_code == 404


def test_revoked_link_is_a_404(client, reporter, draft):
    url = share(client, reporter, draft)
    assert Client().get(url).status_code == 200
    link = PreviewLink.objects.get()
    client.post(f"/admin/articles/article/{draft.pk}/preview/{link.pk}/revoke/")
    assert Client().get(url).status_code == 404
    assert PreviewLink.objects.get().revoked_at is not None


def test_another_reporter_cannot_revoke_or_create_links_on_articles_they_cannot_see(
    client, reporter, other_reporter, draft
):
    share(client, reporter, draft)
    link = PreviewLink.objects.get()
    client.force_login(other_reporter)
    assert client.post(f"/admin/articles/article/{draft.pk}/preview/{link.pk}/revoke/").status_code == 403
    assert client.post(f"/admin/articles/article/{draft.pk}/preview/").status_code == 403
    assert PreviewLink.objects.get().revoked_at is None


def test_preview_of_a_pending_edit_shows_it_while_readers_see_the_live_version(client, reporter, publisher):
    article = make_ready_article(reporter, status=Status.PUBLISHED, headline="Live headline")
    workflow.stage_edit(article, publisher, {**workflow.snapshot_of(article), "headline": "Pending headline"})
    url = share(client, publisher, article)

    preview = Client().get(url).text
    assert "Pending headline" in preview and "pending update" in preview
    assert "Live headline" in Client().get(article.get_absolute_url()).text
    assert "Pending headline" not in Client().get(article.get_absolute_url()).text
