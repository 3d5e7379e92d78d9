"""The public pages: status, content, pagination edges, redirects and fixed query counts."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, ArticleSlugHistory, Status
from tests.factories import make_article, make_author, make_section, make_tag

pytestmark = pytest.mark.django_db

# Every public page, with the most queries it may make on a cold cache (the cache generation lookup included).
PAGES = {
    "home": ("/", 3),
    "article": (None, 7),
    "tag": ("/tags/topic-3/", 6),
    "tag page 2": ("/tags/topic-3/?page=2", 6),
    "author": ("/authors/reporter-2/", 6),
    "authors": ("/authors/", 3),
    "section": ("/sections/section-b/", 6),
    "search": ("/search/?q=story", 4),
    "latest feed": ("/feeds/latest/", 5),
    "latest atom feed": ("/feeds/latest/atom/", 5),
    "tag feed": ("/tags/topic-3/feed/", 6),
    "author feed": ("/authors/reporter-2/feed/", 6),
    "section feed": ("/sections/section-b/feed/", 6),
    "sitemap index": ("/sitemap.xml", 6),
    "articles sitemap": ("/sitemap-articles.xml", 3),
    "tags sitemap": ("/sitemap-tags.xml", 3),
    "news sitemap": ("/sitemap-news.xml", 3),
}


@pytest.mark.parametrize("scale", [1, 3])
@pytest.mark.parametrize("name", PAGES)
def test_every_public_page_makes_a_fixed_number_of_queries(
    client, newsroom, django_assert_max_num_queries, name, scale
):
    # Three times the articles, and more tags and bylines on each, must not add a single query.
    data = newsroom(articles=45 * scale, tags_per_article=4 + 2 * scale, authors_per_article=2 + scale)
    url, limit = PAGES[name]
    url = url or data["articles"][3].get_absolute_url()

    with django_assert_max_num_queries(limit):
        response = client.get(url)

    assert response.status_code == 200, url


def test_home_shows_the_lead_story_latest_stories_and_a_block_per_section(client, newsroom):
    data = newsroom(articles=12)

    response = client.get("/")

    text = response.text
    assert response.status_code == 200
    lead = re.search(r'<section class="lead-story".*?</section>', text, re.S).group(0)
    assert "Story number 0" in lead
    for section in data["sections"]:
        assert f'href="/sections/{section.slug}/"' in text
    assert text.count('class="section-block"') == 3


def test_an_editor_pinned_story_leads_the_home_page(client, newsroom):
    data = newsroom(articles=5)
    pinned = data["articles"][4]
    pinned.home_pinned_at = timezone.now()
    pinned.save()

    text = client.get("/").text

    lead = re.search(r'<section class="lead-story".*?</section>', text, re.S).group(0)
    assert "Story number 4" in lead


@pytest.mark.parametrize("pinned", [3, 20])
def test_the_latest_stories_are_the_ten_newest_but_the_lead(client, newsroom, pinned):
    data = newsroom(articles=25)
    lead = data["articles"][pinned]  # among the eleven newest, or older than all of them
    lead.home_pinned_at = timezone.now()
    lead.save()

    text = client.get("/").text

    latest = re.search(r'<h2 id="latest-heading">.*?</section>', text, re.S)[0]
    shown = [int(n) for n in re.findall(r"Story number (\d+)</a></h3>", latest)]
    assert shown == [n for n in range(11) if n != pinned][:10]
    assert f"Story number {pinned}" in re.search(r'<section class="lead-story".*?</section>', text, re.S)[0]
    blocks = re.findall(r'<section class="section-block".*?</section>', text, re.S)
    assert [re.findall(r"Story number (\d+)<", block) for block in blocks] == [
        ["0", "3", "6", "9"],
        ["1", "4", "7", "10"],
        ["2", "5", "8", "11"],
    ]


def test_a_pinned_story_that_is_not_published_does_not_lead(client, newsroom):
    data = newsroom(articles=3)
    make_article("Pinned draft", status=Status.DRAFT, home_pinned_at=timezone.now())

    text = client.get("/").text

    assert "Pinned draft" not in text
    assert (
        data["articles"][0].headline in re.search(r'<section class="lead-story".*?</section>', text, re.S)[0]
    )


def test_article_page_links_bylines_and_tags_and_shows_times(client):
    when = datetime.datetime(2024, 3, 5, 9, 15, tzinfo=datetime.UTC)
    article = make_article(
        "Council approves budget",
        dek="After a long night",
        published_at=when,
        updated_at=when + datetime.timedelta(hours=2),
        section=make_section("City"),
        authors=[make_author("Ana Ruiz"), make_author("Bo Chen")],
        tags=[make_tag("Budget"), make_tag("City council")],
    )

    text = client.get(article.get_absolute_url()).text

    assert "<h1>Council approves budget</h1>" in text
    assert 'href="/authors/ana-ruiz/" rel="author">Ana Ruiz</a> and <a href="/authors/bo-chen/"' in text
    assert 'Published <time datetime="2024-03-05T09:15:00+00:00">' in text
    assert 'Updated <time datetime="2024-03-05T11:15:00+00:00">' in text
    assert 'href="/tags/budget/" rel="tag"' in text and 'href="/tags/city-council/"' in text
    assert 'href="/sections/city/"' in text


def test_article_with_a_wrong_date_redirects_permanently_to_the_right_one(client):
    article = make_article("Dated", published_at=datetime.datetime(2021, 9, 27, tzinfo=datetime.UTC))

    response = client.get("/2020/01/01/dated/")

    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url() == "/2021/09/27/dated/"


def test_an_impossible_date_is_404(client):
    make_article("Dated", published_at=datetime.datetime(2021, 9, 27, tzinfo=datetime.UTC))

    assert client.get("/2021/02/31/dated/").status_code == 404


def test_a_renamed_published_article_answers_301_at_every_old_slug_forever(client):
    article = make_article("First headline", published_at=datetime.datetime(2022, 5, 1, tzinfo=datetime.UTC))
    article.slug = "second-headline"
    article.save()
    article.slug = "third-headline"
    article.save()

    for old in ["/2022/05/01/first-headline/", "/2022/05/01/second-headline/", "/1999/01/01/first-headline/"]:
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == "/2022/05/01/third-headline/"
    assert client.get("/2022/05/01/third-headline/").status_code == 200
    assert set(ArticleSlugHistory.objects.values_list("slug", flat=True)) == {
        "first-headline",
        "second-headline",
    }


def test_a_draft_renamed_before_publication_leaves_no_redirect(client):
    article = make_article("Working title", status=Status.DRAFT)
    article.slug = "final-title"
    article.save()

    assert not ArticleSlugHistory.objects.exists()
    assert client.get("/2022/05/01/working-title/").status_code == 404


def test_old_slugs_of_an_unpublished_article_are_404(client):
    article = make_article("Gone soon", published_at=datetime.datetime(2022, 5, 1, tzinfo=datetime.UTC))
    article.slug = "gone"
    article.save()
    article.status = Status.UNPUBLISHED
    article.save()

    assert client.get("/2022/05/01/gone-soon/").status_code == 404


@pytest.mark.parametrize("path", ["/tags/{}/", "/sections/{}/", "/authors/{}/"])
def test_list_pages_paginate_20_newest_first_with_rel_links_and_404_out_of_range(client, path):
    section = make_section("World")
    tag = make_tag("World news")
    author = make_author("World Desk")
    now = timezone.now()
    for n in range(45):
        make_article(
            f"World story {n:02d}",
            published_at=now - datetime.timedelta(minutes=n + 1),
            section=section,
            tags=[tag],
            authors=[author],
        )
    slug = {"/tags/{}/": tag.slug, "/sections/{}/": section.slug, "/authors/{}/": author.slug}[path]
    url = path.format(slug)

    first, second, third = (client.get(url + query) for query in ["", "?page=2", "?page=3"])

    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 200]
    assert re.findall(r"World story (\d\d)", first.text)[:20] == [f"{n:02d}" for n in range(20)]
    assert "World story 20" in second.text and "World story 19" not in second.text
    assert third.text.count('class="card"') == 5
    assert '<link rel="next" href="http://testserver' not in first.text
    assert f'<link rel="next" href="http://127.0.0.1:8000{url}?page=2">' in first.text
    assert 'rel="prev"' not in first.text
    assert f'<link rel="prev" href="http://127.0.0.1:8000{url}">' in second.text
    assert f'<link rel="next" href="http://127.0.0.1:8000{url}?page=3">' in second.text
    assert 'rel="next"' not in third.text
    for bad in ["?page=4", "?page=0", "?page=-1", "?page=two"]:
        assert client.get(url + bad).status_code == 404, bad


def test_unknown_tag_author_and_section_are_404_with_the_styled_page(client):
    for url in ["/tags/nope/", "/authors/nope/", "/sections/nope/", "/tags/nope/feed/", "/no/such/page/"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "We can’t find that page" in response.text


def test_robots_txt_names_both_sitemaps(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in response.text
    assert "Sitemap: http://127.0.0.1:8000/sitemap-news.xml" in response.text


def test_the_500_page_renders_without_a_database_or_request(settings):
    from django.template import loader

    html = loader.get_template("500.html").render()

    assert "Something went wrong" in html


def test_public_pages_have_no_inline_script_or_style_attributes(client, newsroom):
    data = newsroom(articles=3)
    for url in ["/", data["articles"][0].get_absolute_url(), "/tags/topic-1/", "/search/?q=story", "/nope/"]:
        text = client.get(url).text
        scripts = re.findall(r"<script([^>]*)>", text)
        assert all('type="application/ld+json"' in attributes for attributes in scripts), url
        assert " style=" not in text, url


def test_machine_readable_times_are_valid_html_datetimes(client, newsroom):
    data = newsroom(articles=5)
    for url in ["/", data["articles"][0].get_absolute_url(), "/tags/topic-1/", "/search/?q=story"]:
        values = re.findall(r'<time datetime="([^"]*)"', client.get(url).text)
        assert values, url
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", value) for value in values), (
            url
        )


def test_the_home_page_is_its_own_canonical_with_website_data(client, newsroom):
    newsroom(articles=2)

    text = client.get("/").text

    assert '<link rel="canonical" href="http://127.0.0.1:8000/">' in text
    assert '"@type":"WebSite"' in text


def test_fast_list_links_equal_get_absolute_url_for_unicode_slugs():
    from public.templating import article_url, author_path, section_url

    author = make_author("Zoë Ünal")
    section = make_section("Économie")
    article = make_article("Çà et là", authors=[author], section=section)

    assert author_path(author) == author.get_absolute_url()
    assert article_url(article) == article.get_absolute_url()
    assert section_url(section) == section.get_absolute_url()


def test_an_article_pages_plain_bylines_and_tags_link_like_the_models():
    from public.paging import credits_by_article, tag_links

    author = make_author("Zoë Ünal")
    tags = [make_tag("Ünïcode tag"), make_tag("Another")]
    article = make_article("Çà et là", authors=[author], tags=tags)

    [credit] = credits_by_article([article.pk])[article.pk]
    assert credit.author.get_absolute_url() == author.get_absolute_url()
    assert [(t.name, t.get_absolute_url()) for t in tag_links(article.pk)] == sorted(
        (t.name, t.get_absolute_url()) for t in tags
    )


@pytest.mark.parametrize("format_string", ["N j, Y", "N j", "Y", "N j, Y, P e", "c"])
def test_the_templates_date_filter_equals_djangos_in_every_month(settings, format_string):
    from django.template.defaultfilters import date as django_date
    from django.utils.timezone import localtime, override

    from public.templating import date

    for zone in ["UTC", "America/New_York"]:
        with override(zone):
            for month in range(1, 13):
                moment = datetime.datetime(2025, month, 1, 2, 30, tzinfo=datetime.UTC)
                assert date(moment, format_string) == django_date(localtime(moment), format_string)
    assert date(None, "N j, Y") == ""


def test_a_jinja2_page_formats_dates_and_links_in_the_zone_and_language_current_when_it_renders():
    from django.template import engines
    from django.template.defaultfilters import date as django_date
    from django.utils import translation
    from django.utils.timezone import localtime, override

    from public.templating import iso_time

    article = make_article("Late", published_at=datetime.datetime(2025, 3, 1, 2, 30, tzinfo=datetime.UTC))
    template = engines["jinja2"].from_string(
        '{{ a|article_url }} {{ a.published_at|iso_time }} {{ a.published_at|date("N j, Y") }}'
    )
    for zone in ["UTC", "America/New_York", "Asia/Tokyo"]:
        with override(zone), translation.override("de"):
            expected = (
                f"{article.get_absolute_url()} {localtime(article.published_at).isoformat()} "
                f"{django_date(localtime(article.published_at), 'N j, Y')}"
            )
            assert template.render({"a": article}) == expected
            assert iso_time(article.published_at) == localtime(article.published_at).isoformat()


@pytest.mark.parametrize("format_string", ["N j, Y", "N j", "N j, Y, P e"])
def test_a_time_tag_is_the_iso_time_and_the_date_of_its_moment(format_string):
    from django.template import engines
    from django.utils import translation
    from django.utils.timezone import override

    moment = datetime.datetime(2025, 3, 1, 2, 30, 15, 123456, tzinfo=datetime.UTC)
    separate = engines["jinja2"].from_string(
        '<time datetime="{{ m|iso_time }}">{{ m|date(f) }}</time>|'
        '<time datetime="{{ n|iso_time }}">{{ n|date(f) }}</time>'
    )
    together = engines["jinja2"].from_string("{{ m|time_tag(f) }}|{{ n|time_tag(f) }}")
    for zone in ["UTC", "America/New_York", "Asia/Tokyo"]:
        with override(zone), translation.override("de"):
            context = {"m": moment, "n": None, "f": format_string}
            assert together.render(context) == separate.render(context)


def test_the_templates_truncatechars_equals_djangos():
    from django.template.defaultfilters import truncatechars as django_truncatechars
    from django.utils.safestring import mark_safe

    from public.templating import truncatechars

    decomposed = "Cafe\u0301 au lait"  # not NFC: Django returns it composed
    for value in ["The latest news.", "x" * 250, decomposed, "", mark_safe("<b>safe</b>"), 42]:
        for length in [0, 5, 16, 200, "200", "x"]:
            assert truncatechars(value, length) == django_truncatechars(value, length)
            assert type(truncatechars(value, length)) is type(django_truncatechars(value, length))


def test_a_story_link_is_the_articles_link_headline_and_time_tag():
    from django.template import engines
    from django.utils import translation
    from django.utils.timezone import override

    late = make_article(
        'Über "quotes" & <tags>', published_at=datetime.datetime(2025, 3, 1, 2, 30, tzinfo=datetime.UTC)
    )
    unsaved = Article(headline="Draft", slug="draft", created_at=timezone.now())  # no published_at
    separate = engines["jinja2"].from_string(
        '<a href="{{ a|article_url }}">{{ a.headline }}</a> {{ a.published_at|time_tag("N j, Y") }}'
    )
    together = engines["jinja2"].from_string('{{ a|story_link("N j, Y") }}')
    for zone in ["UTC", "America/New_York", "Asia/Tokyo"]:
        with override(zone), translation.override("de"):
            for article in [late, unsaved]:
                assert together.render({"a": article}) == separate.render({"a": article})


def test_plain_and_unicode_slugs_are_linked_as_iri_to_uri_encodes_them():
    from django.utils.encoding import iri_to_uri

    from public.templating import uri_slug

    for slug in ["plain-slug_2", "über-münchen", "a b", "", "100%", "x/y?z"]:
        assert uri_slug(slug) == iri_to_uri(slug)


def test_the_500_page_is_rendered_by_jinja2_and_the_admin_by_django_templates(admin_client):
    from django.template import loader

    assert loader.get_template("500.html").backend.name == "jinja2"
    assert admin_client.get("/admin/").templates[0].name == "admin/index.html"


def test_story_cards_keep_the_order_of_ids_show_only_visible_articles_and_their_bylines_in_order():
    from articles.models import Byline
    from public.paging import load_cards

    first, second = make_author("Ann First"), make_author("Bo Second")
    older = make_article("Older", published_at=timezone.now() - datetime.timedelta(days=2))
    newer = make_article("Newer", dek="The dek", authors=[second, first])
    Byline.objects.create(article=newer, author=first, role="photos", position=5)
    draft = make_article("Draft", status=Status.DRAFT)

    cards = load_cards([newer.pk, draft.pk, older.pk])

    assert [card.headline for card in cards] == ["Newer", "Older"]
    card = cards[0]
    assert (card.pk, card.dek, card.published_at) == (newer.pk, "The dek", newer.published_at)
    assert card.get_absolute_url() == newer.get_absolute_url()
    credits = [(c.author.name, c.author.slug, c.role, c.get_role_display()) for c in card.bylines.all()]
    assert credits == [
        ("Bo Second", second.slug, "reporting", "Reporting"),
        ("Ann First", first.slug, "reporting", "Reporting"),
        ("Ann First", first.slug, "photos", "Photos"),
    ]
    assert cards[1].bylines == []


def test_a_card_byline_reads_like_the_articles_own():
    from articles.models import Article
    from public.paging import load_cards
    from public.templating import byline

    article = make_article("Bylined", authors=[make_author("Zoë Ünal"), make_author("Al <b>Bold</b>")])
    model = Article.objects.prefetch_related("bylines__author").get(pk=article.pk)

    assert byline(load_cards([article.pk])[0].bylines.all()) == byline(model.bylines.all())
    assert "Al &lt;b&gt;Bold&lt;/b&gt;" in byline(model.bylines.all())


def test_deep_tag_pages_start_from_a_stored_sort_key_and_list_what_offset_paging_lists(client, monkeypatch):
    """Beyond DEEP_OFFSET a tag page starts at the nearest stored sort key instead of OFFSET; same ids."""
    from public import paging

    tag = make_tag("Deep")
    now = timezone.now()
    for n in range(47):  # several articles share a time: the key's article id breaks the tie
        when = now - datetime.timedelta(minutes=n // 3 + 1)
        make_article(f"Deep story {n:02d}", published_at=when, tags=[tag])
    expected = list(paging.tag_article_ids(tag, now))
    keyed = paging.tag_page_ids(tag, now)

    monkeypatch.setattr(paging, "DEEP_OFFSET", 0)  # every slice past the first id starts from a key
    for start, stop in [(0, 20), (20, 40), (40, 60), (7, 19), (21, 47), (46, 47), (47, 67), (80, 100)]:
        assert keyed[start:stop] == expected[start:stop], (start, stop)
    with CaptureQueriesContext(connection) as queries:
        keyed[40:60]
    assert '"visible_from" <' in queries[-1]["sql"]  # started from the key, not by OFFSET 40
    assert paging.tag_sort_keys(tag, now)[1] == (now - datetime.timedelta(minutes=7), expected[20])

    page = client.get(f"/tags/{tag.slug}/?page=2")
    stories = re.findall(r"Deep story (\d\d)", page.text)
    assert stories[:20] == [re.search(r"\d\d", a.headline)[0] for a in _articles(expected[20:40])]
    assert client.get(f"/tags/{tag.slug}/?page=4").status_code == 404


def _articles(ids):
    from articles.models import Article

    found = Article.objects.in_bulk(ids)
    return [found[pk] for pk in ids]
