import datetime

import pytest
from django.utils import timezone

from articles.models import Article, Byline, Status, TaggedArticle
from tests.factories import make_author, make_section, make_tag


@pytest.fixture
def newsroom(db):
    """
    A published archive built with bulk inserts (as the importer writes): 3 sections, 6 authors, 12 tags and
    `articles` stories "Story number N", N hours old, each with several bylines and tags.
    """

    def build(articles=30, tags_per_article=6, authors_per_article=3):
        now = timezone.now()
        sections = [make_section(f"Section {name}") for name in "ABC"]
        authors = [make_author(f"Reporter {n}") for n in range(6)]
        tags = [make_tag(f"Topic {n}") for n in range(12)]
        made = Article.objects.bulk_create(
            Article(
                headline=f"Story number {n}",
                slug=f"story-number-{n}",
                dek=f"Dek of story {n}",
                body=f"<p>Body of story {n}.</p>",
                status=Status.PUBLISHED,
                published_at=now - datetime.timedelta(hours=n + 1),
                section=sections[n % 3],
            )
            for n in range(articles)
        )
        Byline.objects.bulk_create(
            Byline(article=article, author=authors[(n + k) % 6], position=k)
            for n, article in enumerate(made)
            for k in range(authors_per_article)
        )
        TaggedArticle.objects.bulk_create(
            TaggedArticle(content_object=article, tag=tags[(n + k) % 12])
            for n, article in enumerate(made)
            for k in range(tags_per_article)
        )
        return {"sections": sections, "authors": authors, "tags": tags, "articles": made}

    return build
