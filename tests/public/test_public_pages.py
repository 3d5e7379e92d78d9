import datetime

import pytest
from django.utils import timezone

from articles.models import Status
from tests.factories import make_article, make_author, make_section, make_tag

pytestmark = pytest.mark.django_db


def test_home_lists_published_articles_and_hides_drafts(client, django_assert_max_num_queries):
    for n in range(5):
        make_article(f"Published {n}", authors=[make_author(), make_author()], tags=[make_tag(), make_tag()])
    make_article("Secret draft", status=Status.DRAFT)

    with django_assert_max_num_queries(3):
        response = client.get("/")

    assert response.status_code == 200
    assert "Published 4" in response.text
    assert "Secret draft" not in response.text


def test_article_page_shows_headline_dek_bylines_date_body_and_tags(client, django_assert_max_num_queries):
    when = datetime.datetime(2021, 9, 27, 14, 30, tzinfo=datetime.UTC)
    article = make_article(
        "Milley discussed Putin offer",
        dek="A report says",
        body="<p>Gen. Mark Milley discussed</p>",
        published_at=when,
        section=make_section("Defense"),
        authors=[make_author("Rebecca Beitsch"), make_author("Ellen Mitchell")],
        tags=[make_tag("Russia"), make_tag("Kremlin")],
    )

    with django_assert_max_num_queries(6):
        response = client.get("/2021/09/27/milley-discussed-putin-offer/")

    assert response.status_code == 200
    for text in [
        "Milley discussed Putin offer",
        "A report says",
        "<p>Gen. Mark Milley discussed</p>",
        "Rebecca Beitsch",
        "Ellen Mitchell",
        'datetime="2021-09-27T14:30:00+00:00"',
        "Russia",
        "Kremlin",
    ]:
        assert text in response.text
    assert article.get_absolute_url() == "/2021/09/27/milley-discussed-putin-offer/"


def test_article_with_a_wrong_date_in_the_url_redirects_permanently(client):
    make_article("Dated", published_at=datetime.datetime(2021, 9, 27, tzinfo=datetime.UTC))

    response = client.get("/2020/01/01/dated/")

    assert response.status_code == 301
    assert response["Location"] == "/2021/09/27/dated/"


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.UNPUBLISHED, Status.SCHEDULED])
def test_unpublished_articles_are_404(client, status):
    article = make_article("Hidden", status=status, published_at=timezone.now() - datetime.timedelta(days=1))

    assert client.get(article.get_absolute_url()).status_code == 404


def test_tag_page_lists_only_published_articles_with_the_tag(client, django_assert_max_num_queries):
    russia = make_tag("Russia")
    for n in range(3):
        make_article(f"Tagged {n}", tags=[russia, make_tag()], authors=[make_author()])
    make_article("Untagged")
    make_article("Tagged draft", status=Status.DRAFT, tags=[russia])

    with django_assert_max_num_queries(6):
        response = client.get("/tags/russia/")

    assert response.status_code == 200
    assert "Tagged 2" in response.text
    assert "Untagged" not in response.text and "Tagged draft" not in response.text


def test_unknown_tag_is_404(client):
    assert client.get("/tags/nothing-here/").status_code == 404
