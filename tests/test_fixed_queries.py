"""newsroom.fixed_queries: a queryset compiled once gives what the queryset gives, for any values."""

import datetime

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Status
from newsroom.fixed_queries import FixedQuery, Many
from tags.models import Tag
from tests.factories import make_article, make_tag

pytestmark = pytest.mark.django_db


def _visible_ids(ids, now):
    return (
        Article.objects.published(now).filter(pk__in=ids).order_by("-published_at", "-pk").values_list("pk")
    )


VISIBLE_IDS = FixedQuery(
    _visible_ids, model=Article, ids=Many(models.BigIntegerField()), now=models.DateTimeField()
)


def test_rows_equal_the_querysets_for_new_values_of_every_parameter():
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    old = make_article("Old", published_at=now - 3 * hour)
    new = make_article("New", published_at=now - hour)
    scheduled = make_article("Later", status=Status.SCHEDULED, publish_at=now + hour, published_at=now + hour)
    ids = [old.pk, new.pk, scheduled.pk]

    for moment in [now, now + 2 * hour, now - 2 * hour]:
        for chosen in [ids, ids[:2], ids[1:2]]:
            assert VISIBLE_IDS.rows(ids=chosen, now=moment) == list(_visible_ids(chosen, moment))
    assert VISIBLE_IDS.rows(ids=ids, now=now + 2 * hour) == [(scheduled.pk,), (new.pk,), (old.pk,)]


def test_a_shape_is_compiled_once_and_each_run_is_one_query(django_assert_num_queries):
    article = make_article()
    query = FixedQuery(
        _visible_ids, model=Article, ids=Many(models.BigIntegerField()), now=models.DateTimeField()
    )

    query.rows(ids=[article.pk], now=timezone.now())
    compiled = dict(query._compiled)
    with django_assert_num_queries(1):
        assert query.rows(ids=[article.pk + 1], now=timezone.now()) == []
    assert query._compiled == compiled  # same shape: nothing compiled again
    query.rows(ids=[article.pk, article.pk + 1], now=timezone.now())
    assert len(query._compiled) == len(compiled) + 1  # two ids: another shape


def test_limit_and_offset_slice_in_sql_as_a_queryset_slice_does():
    now = timezone.now()
    articles = [make_article(published_at=now - datetime.timedelta(minutes=n)) for n in range(5)]
    ids = [article.pk for article in articles]
    for start, stop in [(0, 2), (2, 4), (4, 9), (7, 9)]:
        assert VISIBLE_IDS.rows(ids=ids, now=now, limit=stop - start, offset=start) == list(
            _visible_ids(ids, now)[start:stop]
        )


def test_instances_are_the_models_the_queryset_loads():
    tag = make_tag("Climate", description="Warming")
    by_slug = FixedQuery(
        lambda slug: Tag.objects.filter(slug=slug),
        model=Tag,
        slug=Tag._meta.get_field("slug"),
    )

    [found] = by_slug.instances(slug=tag.slug)

    assert found == tag
    assert [(f.attname, getattr(found, f.attname)) for f in Tag._meta.concrete_fields] == [
        (f.attname, getattr(tag, f.attname)) for f in Tag._meta.concrete_fields
    ]
    assert not found._state.adding and found._state.db == "default"
    assert by_slug.instances(slug="no-such-tag") == []


def test_values_are_converted_as_the_orm_converts_them():
    article = make_article(published_at=timezone.now().replace(microsecond=0))
    dates = FixedQuery(
        lambda pk: Article.objects.filter(pk=pk).values_list("published_at", "legal_hold"),
        model=Article,
        pk=models.BigIntegerField(),
    )

    assert dates.rows(pk=article.pk) == [(article.published_at, False)]
    assert dates.rows(pk=article.pk)[0][0].tzinfo is not None


def test_an_empty_list_runs_no_query():
    with CaptureQueriesContext(connection) as queries:
        assert VISIBLE_IDS.rows(ids=[], now=timezone.now()) == []
    assert len(queries) == 0


def test_instances_carry_select_related_objects_and_annotations_as_the_queryset_gives_them(
    django_assert_num_queries,
):
    from django.db.models import Count

    from articles.models import Section
    from tests.factories import make_section

    section = make_section("World")
    with_section = make_article("In a section", section=section, tags=[make_tag(), make_tag()])
    without = make_article("No section")

    def build(pk):
        return (
            Article.objects.select_related("section").annotate(tag_count=Count("tagged_items")).filter(pk=pk)
        )

    query = FixedQuery(build, model=Article, pk=models.BigIntegerField())
    for article in [with_section, without]:
        [found] = query.instances(pk=article.pk)
        [expected] = build(article.pk)
        with django_assert_num_queries(0):
            assert (found.pk, found.headline, found.tag_count) == (
                expected.pk,
                expected.headline,
                expected.tag_count,
            )
            assert found.section == expected.section
    assert isinstance(query.instances(pk=with_section.pk)[0].section, Section)


def test_where_is_the_querysets_own_where_clause_for_hand_written_sql():
    now = timezone.now()
    visible = make_article("Visible")
    make_article("Draft", status=Status.DRAFT)
    published = FixedQuery(lambda now: Article.objects.published(now), now=models.DateTimeField())

    sql, params = published.where("default", now=now)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM articles_article WHERE {sql}", params)
        assert [row[0] for row in cursor.fetchall()] == [visible.pk]
    assert published.where("default", now=now - datetime.timedelta(days=1))[1] != params


def test_postgres_binds_server_side_and_prepares_unless_turned_off(monkeypatch):
    from newsroom.settings import PREPARE_THRESHOLD, database_from_url

    options = database_from_url("postgres://user@db:5432/news")["OPTIONS"]
    assert options == {"server_side_binding": True, "prepare_threshold": PREPARE_THRESHOLD}
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "0")
    assert database_from_url("postgres://user@db:5432/news")["OPTIONS"] == {}


@pytest.mark.postgres
def test_a_fixed_query_run_repeatedly_is_planned_once_as_a_prepared_statement():
    from newsroom.settings import PREPARE_THRESHOLD

    article = make_article()
    for _ in range(PREPARE_THRESHOLD + 1):
        assert VISIBLE_IDS.rows(ids=[article.pk], now=timezone.now()) == [(article.pk,)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ["%IN ($6)%"])
        assert len(cursor.fetchall()) == 1


def test_a_none_value_is_refused_rather_than_compared_with_equals():
    with pytest.raises(ValueError, match="'now' is None"):
        VISIBLE_IDS.rows(ids=[1], now=None)
