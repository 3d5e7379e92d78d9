"""The write API: token scopes, the admin's workflow rules and validation, optimistic locking, revisions."""

import datetime

import pytest
from django.utils import timezone

from api.models import Scope, Token
from articles.models import Article, Revision, Status
from desk.models import Transition
from tests.factories import make_section
from tests.shared_fixtures import make_ready_article

pytestmark = pytest.mark.django_db

ALL = [Scope.READ_DRAFTS, Scope.WRITE_DRAFTS, Scope.PUBLISH]


def bearer(user, scopes=ALL, **fields):
    _, key = Token.issue(user, name="test", scopes=scopes, **fields)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_a_write_drafts_token_creates_a_sanitized_draft_with_its_first_revision(client, reporter):
    section = make_section("News")
    response = client.post(
        "/api/v1/articles/",
        {
            "headline": "Wire story",
            "body": "<p>Hi<script>x()</script></p>",
            "section": section.pk,
            "tags": ["Wire", "Europe"],
        },
        content_type="application/json",
        **bearer(reporter, [Scope.WRITE_DRAFTS]),
    )

    assert response.status_code == 201, response.json()
    article = Article.objects.get(pk=response.json()["id"])
    assert article.status == Status.DRAFT and article.created_by == reporter
    assert "<script>" not in article.body and "Hi" in article.body
    assert sorted(t.name for t in article.tags.all()) == ["Europe", "Wire"]
    assert Revision.objects.filter(article=article, user=reporter).count() == 1
    assert response["ETag"] == f'"{article.version}"'


def test_bad_input_is_a_400_with_field_errors_and_nothing_saved(client, reporter):
    response = client.post(
        "/api/v1/articles/",
        {"headline": "", "section": 999999},
        content_type="application/json",
        **bearer(reporter),
    )

    assert response.status_code == 400
    assert set(response.json()) >= {"headline", "section"}
    assert not Article.objects.exists() and not Revision.objects.exists()


@pytest.mark.parametrize("scopes", [[], [Scope.READ_DRAFTS], [Scope.PUBLISH]])
def test_a_token_without_write_drafts_cannot_write(client, reporter, scopes):
    response = client.post(
        "/api/v1/articles/", {"headline": "No"}, content_type="application/json", **bearer(reporter, scopes)
    )

    assert response.status_code == 403
    assert not Article.objects.exists()


def test_anonymous_writes_are_refused(client):
    assert client.post(
        "/api/v1/articles/", {"headline": "No"}, content_type="application/json"
    ).status_code in (
        401,
        403,
    )


@pytest.mark.parametrize(
    "fields", [{"revoked_at": timezone.now()}, {"expires_at": timezone.now() - datetime.timedelta(minutes=1)}]
)
def test_revoked_and_expired_tokens_are_401(client, reporter, fields):
    token, key = Token.issue(reporter, name="old", scopes=ALL)
    Token.objects.filter(pk=token.pk).update(**fields)

    response = client.get("/api/v1/articles/", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 401


def test_a_used_token_records_when(client, reporter):
    token, key = Token.issue(reporter, name="t")
    client.get("/api/v1/sections/", HTTP_AUTHORIZATION=f"Bearer {key}")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_key_is_stored_only_as_its_hash(reporter):
    token, key = Token.issue(reporter, name="t")
    assert key not in token.key_hash and len(token.key_hash) == 64


def patch(client, article, data, version, headers):
    extra = {} if version is None else {"HTTP_IF_MATCH": f'"{version}"'}
    return client.patch(
        f"/api/v1/articles/{article.pk}/", data, content_type="application/json", **extra, **headers
    )


def test_a_patch_with_the_current_version_saves_a_revision(client, reporter):
    article = make_ready_article(reporter)
    revisions = article.revisions.count()

    response = patch(client, article, {"headline": "Better"}, article.version, bearer(reporter))

    assert response.status_code == 200, response.json()
    article.refresh_from_db()
    assert article.headline == "Better" and article.dek == "A dek."
    assert article.revisions.count() == revisions + 1
    assert response["ETag"] == f'"{article.version}"'


def test_a_stale_if_match_is_412_and_a_missing_one_428_and_nothing_saved(client, reporter):
    article = make_ready_article(reporter)
    headers = bearer(reporter)

    stale = patch(client, article, {"headline": "Stale"}, article.version - 1, headers)
    missing = patch(client, article, {"headline": "Blind"}, None, headers)

    assert stale.status_code == 412 and missing.status_code == 428
    article.refresh_from_db()
    assert article.headline not in ("Stale", "Blind")


def test_a_patch_with_bad_input_is_400_and_saves_nothing(client, reporter):
    article = make_ready_article(reporter)
    revisions = article.revisions.count()

    response = patch(client, article, {"headline": ""}, article.version, bearer(reporter))

    assert response.status_code == 400 and "headline" in response.json()
    assert article.revisions.count() == revisions


def transition(client, article, name, headers, version=None):
    return client.post(
        f"/api/v1/articles/{article.pk}/transitions/",
        {"transition": name},
        content_type="application/json",
        HTTP_IF_MATCH=f'"{article.version if version is None else version}"',
        **headers,
    )


def test_a_transition_goes_through_the_workflow_and_is_logged(client, reporter):
    article = make_ready_article(reporter)

    response = transition(client, article, "submit", bearer(reporter, [Scope.WRITE_DRAFTS]))

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Status.IN_REVIEW
    assert Transition.objects.filter(article=article, action="submit", actor=reporter).exists()


def test_a_reporter_cannot_publish_even_with_the_publish_scope(client, reporter, publisher):
    article = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher)

    response = transition(client, article, "publish", bearer(reporter, ALL))

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW


def test_a_write_drafts_token_cannot_publish(client, reporter, publisher):
    article = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher)

    response = transition(client, article, "publish", bearer(publisher, [Scope.WRITE_DRAFTS]))

    assert response.status_code == 403
    assert not Transition.objects.filter(article=article, action="publish").exists()


def test_a_publisher_token_with_the_scope_publishes(client, reporter, publisher):
    article = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher)

    response = transition(client, article, "publish", bearer(publisher, ALL))

    assert response.status_code == 200, response.json()
    assert Transition.objects.filter(article=article, action="publish", actor=publisher).exists()
    assert client.get(f"/api/v1/articles/{article.pk}/").status_code == 200


def test_legal_hold_blocks_publishing(client, reporter, publisher):
    article = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher)
    Article.objects.filter(pk=article.pk).update(legal_hold=True, legal_hold_reason="Court order")
    article.refresh_from_db()

    response = transition(client, article, "publish", bearer(publisher, ALL))

    assert response.status_code in (400, 403)
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW


def test_a_stale_transition_is_412(client, reporter):
    article = make_ready_article(reporter)
    response = transition(client, article, "submit", bearer(reporter), version=article.version - 1)
    assert response.status_code == 412
