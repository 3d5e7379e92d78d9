"""
Editing a published article through the API follows the admin's rules (desk/admin.py, desk/workflow.py):
only a user who may edit live articles (a publisher), with a token that has `write:drafts` and `publish`;
the edit is staged as a pending revision (readers keep the live version) until `publish_update`, which a
legal hold blocks; If-Match is required and a stale one is 412.
"""

import pytest

from api.models import Scope, Token
from articles.models import Article, Status
from desk import workflow
from desk.models import Transition
from tests.shared_fixtures import make_ready_article

pytestmark = pytest.mark.django_db

ALL = [Scope.READ_DRAFTS, Scope.WRITE_DRAFTS, Scope.PUBLISH]


def bearer(user, scopes=ALL):
    _, key = Token.issue(user, name="test", scopes=scopes)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def live(reporter, publisher):
    article = make_ready_article(
        reporter, status=Status.IN_REVIEW, approved=True, approver=publisher, headline="Council votes"
    )
    return workflow.perform("publish", article, publisher, override_warnings=True)


def patch(client, article, data, headers, version=None):
    version = Article.objects.get(pk=article.pk).version if version is None else version
    return client.patch(
        f"/api/v1/articles/{article.pk}/",
        data,
        content_type="application/json",
        HTTP_IF_MATCH=f'"{version}"',
        **headers,
    )


def transition(client, article, name, headers, version):
    return client.post(
        f"/api/v1/articles/{article.pk}/transitions/",
        {"transition": name},
        content_type="application/json",
        HTTP_IF_MATCH=f'"{version}"',
        **headers,
    )


def public_headline(client, article):
    return client.get(f"/api/v1/articles/{article.pk}/").json()["headline"]


def test_a_publisher_s_edit_is_staged_until_publish_update(client, live, publisher):
    headers = bearer(publisher)
    revisions = live.revisions.count()

    response = patch(client, live, {"headline": "Council approves the bridge", "comment": "Result"}, headers)

    assert response.status_code == 202, response.json()
    body = response.json()
    pending = workflow.pending_revision(live)
    assert pending is not None and pending.user == publisher and pending.comment == "Result"
    assert pending.snapshot["headline"] == "Council approves the bridge"
    assert body["revision"] == pending.number and live.revisions.count() == revisions + 1
    row = Article.objects.get(pk=live.pk)
    assert row.headline == "Council votes"  # readers keep the live version
    assert public_headline(client, live) == "Council votes"
    assert response["ETag"] == f'"{row.version}"' and body["version"] == row.version

    # A second edit continues the staged one (its headline stays); then publish the update.
    second = patch(client, live, {"dek": "Seven to two."}, headers, version=body["version"])
    assert second.status_code == 202, second.json()
    staged = workflow.pending_revision(live).snapshot
    assert (staged["headline"], staged["dek"]) == ("Council approves the bridge", "Seven to two.")
    assert staged["bylines"] == pending.snapshot["bylines"] and staged["tags"] == pending.snapshot["tags"]

    published = transition(client, live, "publish_update", headers, second.json()["version"])
    assert published.status_code == 200, published.json()
    assert published.json()["headline"] == "Council approves the bridge"
    assert published.json()["dek"] == "Seven to two."
    assert Transition.objects.filter(article=live, action="publish_update", actor=publisher).exists()
    assert workflow.pending_revision(live) is None


def test_a_staged_edit_is_validated_and_sanitized_like_the_admin(client, live, publisher):
    headers = bearer(publisher)
    bad = patch(client, live, {"headline": "", "section": 999999}, headers)
    assert bad.status_code == 400 and set(bad.json()) >= {"headline", "section"}
    assert workflow.pending_revision(live) is None

    kept = patch(client, live, {"source": "Wire"}, headers)
    assert kept.status_code == 400 and "source" in kept.json()
    assert workflow.pending_revision(live) is None

    ok = patch(client, live, {"body": "<p>Fine<script>x()</script></p>"}, headers)
    assert ok.status_code == 202
    body = workflow.pending_revision(live).snapshot["body"]
    assert "Fine" in body and "<script>" not in body


@pytest.mark.parametrize(
    ("who", "scopes", "reason"),
    [
        ("reporter", ALL, "reporters edit drafts only"),
        ("editor", ALL, "editors may not edit a published article"),
        ("publisher", [Scope.READ_DRAFTS, Scope.WRITE_DRAFTS], "`publish` scope"),
        ("publisher", [Scope.PUBLISH], "`write:drafts` scope"),
    ],
)
def test_an_edit_of_a_live_article_is_forbidden_without_the_role_or_the_scopes(
    client, live, request, who, scopes, reason
):
    user = request.getfixturevalue(who)
    version = Article.objects.get(pk=live.pk).version

    response = patch(client, live, {"headline": "Hijacked"}, bearer(user, scopes))

    assert response.status_code == 403
    assert reason in response.json()["detail"]
    assert workflow.pending_revision(live) is None
    assert Article.objects.get(pk=live.pk).version == version


def test_a_stale_or_missing_if_match_saves_nothing(client, live, publisher):
    headers = bearer(publisher)
    version = Article.objects.get(pk=live.pk).version

    stale = patch(client, live, {"headline": "Stale"}, headers, version=version - 1)
    missing = client.patch(
        f"/api/v1/articles/{live.pk}/", {"headline": "Blind"}, content_type="application/json", **headers
    )

    assert stale.status_code == 412 and missing.status_code == 428
    assert workflow.pending_revision(live) is None
    assert Article.objects.get(pk=live.pk).version == version


def test_a_legal_hold_lets_the_edit_be_staged_but_blocks_publishing_it(client, live, publisher, editor):
    workflow.perform("hold", live, editor, comment="Court order")
    headers = bearer(publisher)

    staged = patch(client, live, {"headline": "Council approves the bridge"}, headers)
    assert staged.status_code == 202  # as in the admin: the desk may prepare the fix

    blocked = transition(client, live, "publish_update", headers, staged.json()["version"])
    assert blocked.status_code == 403
    assert "legal hold" in blocked.json()["detail"]
    assert Article.objects.get(pk=live.pk).headline == "Council votes"


@pytest.mark.parametrize("action", ["republish", "unschedule", "discard_update"])
def test_every_publisher_action_needs_the_publish_scope(client, live, publisher, action):
    response = transition(
        client, live, action, bearer(publisher, [Scope.WRITE_DRAFTS]), Article.objects.get(pk=live.pk).version
    )
    assert response.status_code == 403
    assert "`publish` scope" in response.json()["detail"]


def test_writes_go_to_the_article_s_id_not_its_slug(client, live, publisher):
    response = client.patch(
        f"/api/v1/articles/by-slug/{live.slug}/",
        {"headline": "By slug"},
        content_type="application/json",
        HTTP_IF_MATCH=f'"{live.version}"',
        **bearer(publisher),
    )
    assert response.status_code == 405
    assert workflow.pending_revision(live) is None
