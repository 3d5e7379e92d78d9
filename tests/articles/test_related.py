"""Related stories: pinned first, then by shared tags weighted by rarity, ties by recency; one query."""

import datetime

import pytest
from django.utils import timezone

from articles.models import Article, RelatedPin, Status, TaggedArticle
from tags.models import Tag
from tests.factories import make_article, make_tag

pytestmark = pytest.mark.django_db


def hours_ago(n):
    return timezone.now() - datetime.timedelta(hours=n)


@pytest.fixture
def example():
    """
    The article "Main" has tags rare (on 4 articles), medium (on 11) and common (on 30), counting the hidden
    ones. Weights 1/ln(2 + count): rare 0.558, medium 0.390, common 0.289.
    """
    rare, medium, common = make_tag("Rare"), make_tag("Medium"), make_tag("Common")
    main = make_article("Main", published_at=hours_ago(1), tags=[rare, medium, common])
    stories = {
        # rare + common = 0.847
        "rare and common": make_article("Rare and common", published_at=hours_ago(50), tags=[rare, common]),
        # medium + common = 0.679
        "medium and common": make_article(
            "Medium and common", published_at=hours_ago(3), tags=[medium, common]
        ),
        # rare alone = 0.558
        "rare": make_article("Rare only", published_at=hours_ago(40), tags=[rare]),
        # medium alone = 0.390, two of them: the newer first
        "medium new": make_article("Medium new", published_at=hours_ago(5), tags=[medium]),
        "medium old": make_article("Medium old", published_at=hours_ago(30), tags=[medium]),
    }
    for n in range(4):
        make_article(f"Medium filler {n}", published_at=hours_ago(100 + n), tags=[medium])
    for n in range(25):
        make_article(f"Common filler {n}", published_at=hours_ago(200 + n), tags=[common])
    # Never related: unpublished, future, draft, expired.
    make_article("Draft sharing all", status=Status.DRAFT, tags=[rare, medium, common])
    make_article(
        "Future sharing all", published_at=timezone.now() + datetime.timedelta(hours=2), tags=[medium]
    )
    make_article(
        "Expired sharing all", published_at=hours_ago(2), unpublish_at=hours_ago(1), tags=[medium, common]
    )
    return main, stories


def test_tag_counts_are_kept_by_the_database_and_count_every_status(example):
    assert dict(Tag.objects.values_list("name", "article_count")) == {"Rare": 4, "Medium": 11, "Common": 30}


def test_related_stories_rank_by_rarity_weighted_shared_tags_then_recency(example):
    main, stories = example

    related = list(Article.objects.related_to(main))

    assert [article.headline for article in related] == [
        "Rare and common",
        "Medium and common",
        "Rare only",
        "Medium new",
        "Medium old",
    ]
    assert related[0].related_score > related[1].related_score > related[2].related_score


def test_pinned_stories_come_first_in_their_order_and_automatic_ones_fill_the_rest(example):
    main, stories = example
    old = make_article("Pinned old story", published_at=hours_ago(1000))
    RelatedPin.objects.create(article=main, related=old, position=2)
    RelatedPin.objects.create(article=main, related=stories["medium old"], position=1)

    related = [article.headline for article in Article.objects.related_to(main)]

    assert related == ["Medium old", "Pinned old story", "Rare and common", "Medium and common", "Rare only"]


def test_a_pinned_story_that_is_not_published_is_left_out(example):
    main, _ = example
    RelatedPin.objects.create(article=main, related=make_article("Pinned draft", status=Status.DRAFT))

    assert "Pinned draft" not in [article.headline for article in Article.objects.related_to(main)]


def test_related_never_lists_the_article_itself_or_hidden_stories(example):
    main, _ = example

    headlines = [article.headline for article in Article.objects.related_to(main, limit=50)]

    assert "Main" not in headlines
    assert not {"Draft sharing all", "Future sharing all", "Expired sharing all"} & set(headlines)
    assert len(headlines) == 34  # every published article sharing a tag


def test_an_article_without_tags_has_no_automatic_related_stories():
    lonely = make_article("Lonely")
    make_article("Other")

    assert list(Article.objects.related_to(lonely)) == []


def test_related_stories_are_one_query(example, django_assert_num_queries):
    main, _ = example

    with django_assert_num_queries(1):
        list(Article.objects.related_to(main))


def test_the_article_page_lists_related_stories(client, example):
    main, _ = example

    text = client.get(main.get_absolute_url()).text

    assert 'id="related-heading"' in text
    assert text.index("Rare and common") < text.index("Medium and common") < text.index("Rare only")


def through_visibility(article):
    return set(
        TaggedArticle.objects.filter(content_object=article).values_list("visible_from", "visible_until")
    )


def test_through_rows_follow_the_articles_visibility_whoever_writes_it(example):
    main, _ = example
    later, end = hours_ago(-5), hours_ago(-50)

    Article.objects.filter(pk=main.pk).update(published_at=later)
    assert through_visibility(main) == {(later, None)}
    Article.objects.filter(pk=main.pk).update(unpublish_at=end)
    assert through_visibility(main) == {(later, end)}
    Article.objects.filter(pk=main.pk).update(status=Status.DRAFT)
    assert through_visibility(main) == {(None, end)}
    Article.objects.filter(pk=main.pk).update(status=Status.SCHEDULED, publish_at=later, legal_hold=True)
    assert through_visibility(main) == {(None, end)}
    Article.objects.filter(pk=main.pk).update(legal_hold=False)
    assert through_visibility(main) == {(later, end)}


def test_tag_counts_follow_tag_removal(example):
    main, _ = example
    main.tags.remove(Tag.objects.get(name="Rare"))

    assert Tag.objects.get(name="Rare").article_count == 3


def test_editors_pin_related_stories_in_the_article_admin(client, django_user_model):
    admin = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(admin)
    main = make_article("Main story")
    other = make_article("Pinned story")
    url = f"/admin/articles/article/{main.pk}/change/"

    page = client.get(url)
    assert page.status_code == 200
    assert "pinned related stories" in page.text.lower()
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "headline": main.headline,
            "status": main.status,
            "published_at_0": main.published_at.strftime("%Y-%m-%d"),
            "published_at_1": main.published_at.strftime("%H:%M:%S"),
            "slug": main.slug,
        }
    )
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        pins = inline.formset.model is RelatedPin
        data.update({f"{prefix}-TOTAL_FORMS": "1" if pins else "0", f"{prefix}-INITIAL_FORMS": "0"})
        if pins:
            data.update({f"{prefix}-0-related": str(other.pk), f"{prefix}-0-position": "1"})
    response = client.post(url, data)

    assert response.status_code == 302, response.context and [
        formset.formset.errors for formset in response.context["inline_admin_formsets"]
    ]
    assert [pin.related for pin in main.related_pins.all()] == [other]


def test_prefetching_tags_joins_the_through_table_once():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tag = make_tag("Shared")
    for n in range(3):
        make_article(f"Tagged {n}", tags=[tag, make_tag()])

    with CaptureQueriesContext(connection) as queries:
        articles = list(Article.objects.prefetch_related("tags"))

    assert all(len(article.tags.all()) == 2 for article in articles)
    assert queries.captured_queries[-1]["sql"].count("JOIN") == 1


def test_a_bulk_load_with_triggers_suspended_ends_with_every_maintained_column_right():
    from django.db import connection

    from articles import db_triggers
    from search.query import search

    tag = make_tag("Loaded")
    with db_triggers.suspended(connection):
        articles = Article.objects.bulk_create(
            Article(
                headline=f"Loaded {n} lighthouse",
                slug=f"loaded-{n}",
                status=Status.PUBLISHED,
                published_at=hours_ago(n + 1),
            )
            for n in range(3)
        )
        TaggedArticle.objects.bulk_create(
            TaggedArticle(content_object=article, tag=tag) for article in articles
        )

    tag.refresh_from_db()
    assert tag.article_count == 3
    assert {row[0] for row in TaggedArticle.objects.values_list("visible_from")} == {
        a.published_at for a in articles
    }
    assert len(search(Article.objects.published(), "lighthouse")) == 3
    assert len(search(Article.objects.published(), "loaded")) == 3
    other = make_article("After the load", tags=[tag])  # triggers are back
    assert Tag.objects.get(pk=tag.pk).article_count == 4
    assert TaggedArticle.objects.get(content_object=other).visible_from == other.published_at
