"""The read API: only published articles without a token, filters, cursor paging, fixed query counts."""

import datetime

import pytest
from django.utils import timezone

from api.models import Scope, Token
from articles.models import Status
from tests.factories import make_article, make_author, make_section, make_tag

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def hidden_article(state, **fields):
    now = timezone.now()
    kinds = {
        "draft": dict(status=Status.DRAFT),
        "in_review": dict(status=Status.IN_REVIEW),
        "scheduled": dict(status=Status.SCHEDULED, publish_at=now + HOUR),
        "held": dict(status=Status.SCHEDULED, publish_at=now - HOUR, legal_hold=True),
        "unpublished": dict(status=Status.UNPUBLISHED, published_at=now - HOUR),
        "expired": dict(status=Status.PUBLISHED, published_at=now - 2 * HOUR, unpublish_at=now - HOUR),
        "future": dict(status=Status.PUBLISHED, published_at=now + HOUR),
    }
    return make_article(f"Secret {state}", **kinds[state], **fields)


STATES = ["draft", "in_review", "scheduled", "held", "unpublished", "expired", "future"]


@pytest.mark.parametrize("state", STATES)
def test_an_article_readers_cannot_see_appears_in_no_anonymous_response(client, state):
    author, tag, section = make_author("Secret Author"), make_tag("Secret tag"), make_section("Secret sec")
    article = hidden_article(state, authors=[author], tags=[tag], section=section)
    make_article("Visible story")

    responses = [
        client.get("/api/v1/articles/"),
        client.get(f"/api/v1/articles/?section={section.slug}"),
        client.get(f"/api/v1/articles/?tag={tag.slug}"),
        client.get(f"/api/v1/articles/?author={author.slug}"),
        client.get("/api/v1/tags/"),
        client.get("/api/v1/authors/"),
        client.get("/api/v1/images/"),
    ]
    for response in responses:
        assert response.status_code == 200
        assert "Secret" not in response.content.decode()
    assert client.get(f"/api/v1/articles/{article.pk}/").status_code == 404
    assert client.get(f"/api/v1/articles/by-slug/{article.slug}/").status_code == 404
    assert "Visible story" in responses[0].content.decode()


@pytest.mark.parametrize("state", ["draft", "scheduled", "held"])
def test_a_read_drafts_token_sees_what_the_admin_lists_for_its_user(client, editor, state):
    article = hidden_article(state)
    _, key = Token.issue(editor, name="desk tool", scopes=[Scope.READ_DRAFTS])
    _, plain_key = Token.issue(editor, name="no scope")

    with_scope = client.get(f"/api/v1/articles/{article.pk}/", HTTP_AUTHORIZATION=f"Bearer {key}")
    without = client.get(f"/api/v1/articles/{article.pk}/", HTTP_AUTHORIZATION=f"Bearer {plain_key}")

    assert with_scope.status_code == 200 and with_scope.json()["headline"] == article.headline
    assert with_scope["ETag"] == f'"{article.version}"'
    assert "private" in with_scope["Cache-Control"]
    assert without.status_code == 404


def test_detail_by_id_and_by_slug_return_the_same_article(client):
    author, tag = make_author("Ann Writer"), make_tag("Climate")
    article = make_article("Floods", authors=[author], tags=[tag], section=make_section("World"))

    by_id = client.get(f"/api/v1/articles/{article.pk}/").json()
    by_slug = client.get(f"/api/v1/articles/by-slug/{article.slug}/").json()

    assert by_id == by_slug
    assert by_id["headline"] == "Floods"
    assert by_id["section"]["name"] == "World"
    assert by_id["authors"][0]["name"] == "Ann Writer"
    assert by_id["tags"] == [{"name": "Climate", "slug": tag.slug}]
    assert by_id["url"].endswith(article.get_absolute_url())


def test_filters_and_cursor_pages_walk_every_article_once(client):
    section = make_section("Sport")
    ids = {make_article(f"Match {n}", section=section).pk for n in range(5)}
    make_article("Elsewhere")

    seen, url = [], "/api/v1/articles/?section=sport&page_size=2"
    while url:
        page = client.get(url).json()
        seen += [item["id"] for item in page["results"]]
        url = page["next"]

    assert sorted(seen, reverse=True) == seen and set(seen) == ids


def walk(client, url, link="next", **headers):
    pages = []
    while url:
        page = client.get(url, **headers).json()
        pages.append([item["id"] for item in page["results"]])
        url = page[link]
        last = page
    return pages, last


def test_previous_links_walk_back_through_the_same_pages_with_every_filter(client):
    section, tag, author = make_section("Sport"), make_tag("Cup final"), make_author("Ann Writer")
    ids = {make_article(f"Match {n}", section=section, tags=[tag], authors=[author]).pk for n in range(7)}
    make_article("Same section, other tag", section=section, authors=[author])
    make_article("Same tag, elsewhere", tags=[tag], authors=[author])
    since = (timezone.now() - HOUR).isoformat().replace("+00:00", "Z")
    query = f"section=sport&tag={tag.slug}&author={author.slug}&updated_since={since}&page_size=3"

    forward, last = walk(client, f"/api/v1/articles/?{query}")
    backward, first = walk(client, last["previous"], link="previous")

    assert [len(page) for page in forward] == [3, 3, 1]
    assert {pk for page in forward for pk in page} == ids
    assert backward == forward[-2::-1]  # the same pages, newest first within each
    assert first["previous"] is None


def test_a_read_drafts_tokens_list_pages_through_drafts_with_the_same_filters(client, editor):
    section = make_section("Sport")
    drafts = {make_article(f"Draft {n}", status=Status.DRAFT, section=section).pk for n in range(3)}
    published = make_article("Live match", section=section).pk
    make_article("Draft elsewhere", status=Status.DRAFT)
    _, key = Token.issue(editor, name="desk tool", scopes=[Scope.READ_DRAFTS])
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    with_token, _ = walk(client, "/api/v1/articles/?section=sport&page_size=2", **bearer)
    anonymous, _ = walk(client, "/api/v1/articles/?section=sport&page_size=2")

    assert {pk for page in with_token for pk in page} == drafts | {published}
    assert anonymous == [[published]]


def test_updated_since_keeps_recent_changes_and_rejects_a_bad_date(client):
    make_article("Recent")
    since = (timezone.now() + HOUR).isoformat().replace("+00:00", "Z")

    assert client.get("/api/v1/articles/", {"updated_since": since}).json()["results"] == []
    bad = client.get("/api/v1/articles/?updated_since=yesterday")
    assert bad.status_code == 400 and "updated_since" in bad.json()


@pytest.mark.parametrize(
    "path",
    ["/api/v1/articles/", "/api/v1/tags/", "/api/v1/authors/", "/api/v1/sections/", "/api/v1/images/"],
)
def test_list_endpoints_use_a_fixed_number_of_queries(client, settings, path, django_assert_max_num_queries):
    settings.PUBLIC_PAGE_CACHE = False  # measure the rendering, not the cache
    for _ in range(2):
        make_article(
            authors=[make_author(), make_author()], tags=[make_tag(), make_tag()], section=make_section()
        )
    with django_assert_max_num_queries(8) as few:
        client.get(path)
    for _ in range(10):
        make_article(
            authors=[make_author(), make_author()], tags=[make_tag(), make_tag()], section=make_section()
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(path).status_code == 200


def test_article_detail_uses_a_fixed_number_of_queries(client, settings, django_assert_max_num_queries):
    settings.PUBLIC_PAGE_CACHE = False
    article = make_article(authors=[make_author() for _ in range(5)], tags=[make_tag() for _ in range(5)])
    with django_assert_max_num_queries(8):
        assert client.get(f"/api/v1/articles/{article.pk}/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"/api/v1/articles/by-slug/{article.slug}/").status_code == 200


def test_json_whatever_the_accept_header_and_the_browsable_api_at_format_api(client):
    make_article("Browsable")

    json = client.get("/api/v1/articles/", HTTP_ACCEPT="text/html")
    browsable = client.get("/api/v1/articles/?format=api")

    assert json["Content-Type"] == "application/json" and json.json()["results"]
    assert browsable.status_code == 200 and browsable["Content-Type"].startswith("text/html")
    assert "Browsable" in browsable.text
    assert "//cdn" not in browsable.text and "https://" not in browsable.text.split("<body")[0]
