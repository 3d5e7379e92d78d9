"""load_demo: the content and users `make demo` relies on, idempotent, and a site that shows them."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from articles.models import Article, Section
from authors.models import Author
from embeds.models import Embed
from tests.ingest.import_helpers import SAMPLE_TAGS, run

pytestmark = pytest.mark.django_db


def load_demo():
    result = run("load_demo", force=True)
    assert result.code == 0, result.err
    return result


def test_demo_content_and_users_are_loaded_and_passwords_printed():
    result = load_demo()

    assert "Demo articles: created 7, updated 0, unchanged 0" in result.out
    sample = Article.objects.get(external_id="000_03d6219c7e6dd54c")
    assert sample.is_published()
    assert sample.section.name == "World"
    assert [b.author.name for b in sample.bylines.all()] == ["Sam Okafor", "Priya Raman"]
    assert sorted(sample.tags.values_list("name", flat=True)) == SAMPLE_TAGS
    assert f"Sample article: http://127.0.0.1:8000{sample.get_absolute_url()}" in result.out
    assert Section.objects.count() >= 4 and Author.objects.count() >= 4

    User = get_user_model()
    for username, group in [("reporter", "Reporter"), ("editor", "Editor"), ("publisher", "Publisher")]:
        user = User.objects.get(username=username)
        assert user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert user.check_password(f"{username}-dev-only")
        assert f"{username}-dev-only" in result.out
    assert User.objects.get(username="admin").is_superuser
    assert Author.objects.get(name="Alex Rivera").user.username == "reporter"


def test_running_twice_is_harmless():
    load_demo()
    Group.objects.get(name="Editor")
    second = load_demo()

    assert "Demo articles: created 0, updated 0, unchanged 7" in second.out
    assert Article.objects.count() == 7
    assert Embed.objects.count() == 1
    assert get_user_model().objects.count() == 4
    # each role group exactly once: none duplicated by load_demo
    roles = Group.objects.filter(name__in=["Reporter", "Editor", "Publisher"])
    assert sorted(roles.values_list("name", flat=True)) == ["Editor", "Publisher", "Reporter"]


def test_the_demo_has_a_live_blog_with_updates_once_however_often_it_runs(client):
    from live.models import LiveUpdate

    first = load_demo()
    load_demo()
    live_blog = Article.objects.get(external_id="election-night-live")
    assert live_blog.live_coverage.is_live
    assert LiveUpdate.objects.filter(article=live_blog).count() == 4
    assert f"Live blog: http://127.0.0.1:8000{live_blog.get_absolute_url()}" in first.out
    assert b"The harbour ward declares first" in client.get(live_blog.get_absolute_url()).content


def test_existing_groups_are_reused():
    # The roles migration creates the groups with their permissions; the demo must not replace them.
    editors = Group.objects.get(name="Editor")
    load_demo()
    assert get_user_model().objects.get(username="editor").groups.get() == editors


def test_refuses_to_run_without_debug():
    result = run("load_demo")
    assert result.code == 1 and "run it with DEBUG=1" in result.err
    assert not get_user_model().objects.exists()


def test_the_site_shows_the_demo(client, django_assert_max_num_queries):
    load_demo()
    sample = Article.objects.get(external_id="000_03d6219c7e6dd54c")

    with django_assert_max_num_queries(6):
        home = client.get("/")
    with django_assert_max_num_queries(6):
        page = client.get(sample.get_absolute_url())

    assert home.status_code == 200 and sample.headline in home.text
    assert page.status_code == 200
    assert "Joint Chiefs of Staff" in page.text and "Sam Okafor" in page.text


def test_the_demo_embed_is_a_click_to_load_placeholder_without_any_network(client, settings):
    # An endpoint nobody answers (TEST-NET-1): load_demo must not need it, as it fetches nothing.
    settings.EMBED_OEMBED_ENDPOINTS = {"youtube": "http://192.0.2.1/oembed"}
    load_demo()
    article = Article.objects.get(external_id="open-film-night")

    page = client.get(article.get_absolute_url()).text

    assert '<p class="embed-provider">YouTube</p>' in page
    assert 'data-embed-src="https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ"' in page
    assert '<a href="https://www.youtube.com/watch?v=aqz-KE-bpKQ">' in page and "<iframe" not in page
