import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article, Status
from tags.models import Tag
from tests.factories import make_article, make_author, make_section, make_tag

pytestmark = pytest.mark.django_db


class TestPublished:
    def test_only_published_articles_whose_time_has_come_are_public(self):
        now = timezone.now()
        hour = datetime.timedelta(hours=1)
        live = make_article("Live", published_at=now - hour)
        make_article("Future", published_at=now + hour)
        make_article("Draft", status=Status.DRAFT)
        make_article("In review", status=Status.IN_REVIEW)
        make_article("Unpublished", status=Status.UNPUBLISHED, published_at=now - hour)

        assert list(Article.objects.published(now)) == [live]

    def test_scheduled_article_is_public_from_publish_at_exactly(self):
        at = timezone.now() + datetime.timedelta(minutes=5)
        article = make_article(status=Status.SCHEDULED, publish_at=at, published_at=at)

        assert not Article.objects.published(at - datetime.timedelta(seconds=1)).exists()
        assert list(Article.objects.published(at)) == [article]
        assert article.is_published(at) and not article.is_published(at - datetime.timedelta(seconds=1))

    def test_scheduled_article_on_legal_hold_never_goes_live(self):
        at = timezone.now() - datetime.timedelta(minutes=5)
        make_article(status=Status.SCHEDULED, publish_at=at, published_at=at, legal_hold=True)

        assert not Article.objects.published().exists()

    def test_article_expires_at_unpublish_at(self):
        now = timezone.now()
        article = make_article(unpublish_at=now)

        assert not Article.objects.published(now).exists()
        assert Article.objects.published(now - datetime.timedelta(seconds=1)).get() == article


class TestSlugs:
    def test_slug_is_made_from_the_headline_and_collisions_get_a_number(self):
        first = make_article("Milley discussed Putin offer")
        second = make_article("Milley discussed Putin offer")
        third = make_article("Milley discussed Putin offer")

        assert first.slug == "milley-discussed-putin-offer"
        assert second.slug == "milley-discussed-putin-offer-2"
        assert third.slug == "milley-discussed-putin-offer-3"

    def test_slug_keeps_non_ascii_letters(self):
        assert make_article("Grève à Zürich: ça continue").slug == "grève-à-zürich-ça-continue"

    def test_a_headline_of_punctuation_still_gets_a_slug(self):
        assert make_article("!!!").slug == "article"

    def test_url_contains_the_publication_date_and_slug(self):
        article = make_article("A day", published_at=datetime.datetime(2021, 9, 27, 12, tzinfo=datetime.UTC))
        assert article.get_absolute_url() == "/2021/09/27/a-day/"


class TestConstraints:
    def test_source_and_external_id_are_unique_together(self):
        make_article(source="hill", external_id="1")
        make_article(source="wire", external_id="1")
        with pytest.raises(IntegrityError), transaction.atomic():
            make_article(source="hill", external_id="1")

    def test_articles_without_external_id_do_not_collide(self):
        make_article(source="cms")
        make_article(source="cms")
        assert Article.objects.filter(source="cms").count() == 2

    def test_tag_names_are_unique_regardless_of_case(self):
        make_tag("Donald Trump")
        with pytest.raises(IntegrityError), transaction.atomic():
            Tag.objects.create(name="donald trump", slug="donald-trump-x")

    def test_adding_a_tag_in_another_case_reuses_the_existing_tag(self):
        tag = make_tag("Donald Trump")
        article = make_article()
        article.tags.add("donald trump")

        assert list(article.tags.all()) == [tag]
        assert Tag.objects.count() == 1

    def test_bylines_keep_their_order_and_roles(self):
        ann, bob = make_author("Ann"), make_author("Bob")
        article = make_article(authors=[bob, ann])

        assert [b.author.name for b in article.bylines.all()] == ["Bob", "Ann"]

    def test_section_and_author_slugs_are_generated(self):
        assert make_section("World News").slug == "world-news"
        assert make_author("Zoë Brontë").slug == "zoë-brontë"


class TestSanitization:
    @pytest.mark.parametrize(
        ("dirty", "clean"),
        [
            ("<p>Hi<script>alert(1)</script></p>", "<p>Hi</p>"),
            ('<p><img src="x.jpg" onerror="alert(1)" alt="x"></p>', '<p><img src="x.jpg" alt="x"></p>'),
            ('<p><a href="javascript:alert(1)">x</a></p>', '<p><a rel="noopener noreferrer">x</a></p>'),
            ('<p onclick="steal()">text</p>', "<p>text</p>"),
            ("<style>body{}</style><p>ok</p>", "<p>ok</p>"),
        ],
    )
    def test_dangerous_markup_never_survives_a_save(self, dirty, clean):
        assert make_article(body=dirty).body == clean
        assert Article.objects.get(body=clean)

    def test_ordinary_markup_is_kept(self):
        html = (
            "<h2>Sub</h2><p><strong>bold</strong> <em>it</em> "
            '<a href="https://example.com/" rel="noopener noreferrer">link</a></p>'
            "<blockquote><p>quote</p></blockquote><ul><li>one</li></ul>"
        )
        assert make_article(body=html).body == html
