"""The article reads' JSON from plain rows (api/rows.py) is exactly ArticleSerializer's, for any article."""

import datetime

import pytest
from django.utils import timezone

from api.models import Scope, Token
from api.serializers import ArticleSerializer, ArticleSummarySerializer, articles_for_api
from articles.models import Article, Byline, Status
from images.ingest import image_from_file
from tests.factories import make_article, make_author, make_section, make_tag
from tests.images.conftest import gps_jpeg, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_URL = "/media/"


def serialized(article):
    return ArticleSerializer(articles_for_api(Article.objects.filter(pk=article.pk)).get()).data


def assorted_articles():
    """Articles that differ in everything the JSON shows: bylines, tags, section, image, dates, markup."""
    storms = make_tag("Storms")
    image = image_from_file(
        upload(gps_jpeg((1400, 900))), alt="Harbour at dusk", caption="The harbour", credit="A. B."
    )
    lead = make_article(
        "Storm reaches the coast",
        dek="Winds of 120 km/h",
        body="<p>Boats &amp; <em>harbours</em> “closed”.</p>",
        section=make_section("Weather"),
        authors=[make_author("Ana Ruiz"), make_author("Bo Chen")],
        tags=[storms, make_tag("Coast, north"), make_tag("Açores")],
        lead_image=image,
    )
    Byline.objects.filter(article=lead, author__name="Ana Ruiz").update(position=2)
    Byline.objects.filter(article=lead, author__name="Bo Chen").update(role="photography", position=1)
    plain = make_article("No section, no byline", dek="")
    scheduled_live = make_article(
        "Went live on schedule",
        status=Status.SCHEDULED,
        publish_at=timezone.now() - datetime.timedelta(hours=2),
        tags=[storms],
    )
    corrected = make_article("Corrected story", updated_at=timezone.now())
    return [lead, plain, scheduled_live, corrected]


def test_the_detail_is_the_serializers_json_for_every_kind_of_article(client, media):
    for article in assorted_articles():
        response = client.get(f"/api/v1/articles/{article.pk}/")

        assert response.status_code == 200
        assert response.json() == serialized(article), article.headline


def test_the_list_is_the_serializers_json_in_the_lists_order(client, media):
    articles = assorted_articles()

    listed = client.get("/api/v1/articles/").json()["results"]
    with_bodies = client.get("/api/v1/articles/?fields=body").json()["results"]

    assert [item["id"] for item in listed] == sorted((a.pk for a in articles), reverse=True)
    assert with_bodies == [serialized(Article.objects.get(pk=item["id"])) for item in listed]
    summaries = [
        ArticleSummarySerializer(articles_for_api(Article.objects.filter(pk=item["id"])).get()).data
        for item in listed
    ]
    assert listed == summaries and all("body" not in item for item in listed)
    lead = next(item for item in listed if item["headline"] == "Storm reaches the coast")
    assert [a["name"] for a in lead["authors"]] == ["Bo Chen", "Ana Ruiz"]  # byline order
    assert [t["name"] for t in lead["tags"]] == ["Açores", "Coast, north", "Storms"]
    assert lead["lead_image"]["renditions"]


def test_by_slug_and_a_tokens_draft_read_give_the_same_json(client, media, django_user_model):
    draft = make_article("Embargoed draft", status=Status.DRAFT, tags=[make_tag("Budget")])
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", "x")
    _, secret = Token.issue(user, name="drafts", scopes=[Scope.READ_DRAFTS])
    published = assorted_articles()[0]

    by_slug = client.get(f"/api/v1/articles/by-slug/{published.slug}/")
    as_token = client.get(f"/api/v1/articles/{draft.pk}/", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert by_slug.json() == serialized(published)
    assert as_token.json() == serialized(draft)
    assert as_token["ETag"] == f'"{draft.version}"'


def test_twenty_articles_with_many_bylines_and_tags_take_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    tags, authors = [make_tag() for _ in range(6)], [make_author() for _ in range(4)]
    for _ in range(20):
        make_article(authors=authors, tags=tags, section=make_section())

    with django_assert_max_num_queries(4):  # the articles with their sections, bylines, tags; the cache
        listed = client.get("/api/v1/articles/").json()["results"]

    assert len(listed) == 20
    assert all(len(item["tags"]) == 6 and len(item["authors"]) == 4 for item in listed)
