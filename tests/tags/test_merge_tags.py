"""Merging duplicate tags: Tag.objects.merge(), the merge_tags command, the admin action, old URLs 301."""

import io

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError, call_command

from articles.models import Article, TaggedArticle
from tags.models import Tag, TagRedirect
from tests.factories import make_article, make_tag
from tests.ingest.import_helpers import import_articles

pytestmark = pytest.mark.django_db


def tag_names(article):
    return sorted(article.tags.values_list("name", flat=True))


@pytest.fixture
def duplicates():
    """ "Donald Trump" with two duplicates, and articles tagged with one, several or all of them."""
    trump = make_tag("Donald Trump", slug="donald-trump")
    lower = make_tag("donald j. trump", slug="donald-j-trump")
    short = make_tag("Trump", slug="trump")
    other = make_tag("Russia")
    return {
        "target": trump,
        "sources": [lower, short],
        "only_source": make_article("Only a duplicate", tags=[lower, other]),
        "two_sources": make_article("Two duplicates", tags=[lower, short]),
        "all": make_article("Target and a duplicate", tags=[trump, short]),
        "untouched": make_article("Untouched", tags=[other]),
        "target_only": [make_article(f"Target only {n}", tags=[trump]) for n in range(2)],
    }


def merge(*words):
    out = io.StringIO()
    call_command("merge_tags", *words, stdout=out)
    return out.getvalue()


def test_merge_moves_every_article_to_the_target_without_duplicate_links(duplicates):
    moved = Tag.objects.merge(duplicates["sources"], into=duplicates["target"])

    assert moved == 2  # "Only a duplicate" and "Two duplicates"; the third had the target already
    for key in ["only_source", "two_sources", "all"]:
        assert "Donald Trump" in tag_names(duplicates[key])
    assert tag_names(duplicates["only_source"]) == ["Donald Trump", "Russia"]
    assert TaggedArticle.objects.filter(tag=duplicates["target"]).count() == 5
    assert tag_names(duplicates["untouched"]) == ["Russia"]


def test_merge_deletes_the_sources_and_records_their_slugs_as_redirects(duplicates):
    Tag.objects.merge(duplicates["sources"], into=duplicates["target"])

    assert list(Tag.objects.values_list("name", flat=True)) == ["Donald Trump", "Russia"]
    assert [(r.old_slug, r.old_name, r.target.name) for r in TagRedirect.objects.all()] == [
        ("donald-j-trump", "donald j. trump", "Donald Trump"),
        ("trump", "Trump", "Donald Trump"),
    ]
    assert Article.objects.count() == 6  # articles are never touched beyond their tag links


def test_a_merged_target_merged_again_sends_the_older_slugs_to_the_newest_target(duplicates):
    Tag.objects.merge(duplicates["sources"], into=duplicates["target"])
    president = make_tag("President Trump")

    Tag.objects.merge([duplicates["target"]], into=president)

    assert dict(TagRedirect.objects.values_list("old_slug", "target__name")) == {
        "donald-j-trump": "President Trump",
        "trump": "President Trump",
        "donald-trump": "President Trump",
    }


def test_the_command_takes_slugs_or_names_and_reports_what_it_did(duplicates):
    output = merge("DONALD J. TRUMP", "trump", "INTO", "donald-trump")

    assert "Merged 'donald j. trump', 'Trump' into 'Donald Trump': 2 article(s) moved." in output
    assert "/tags/trump/ now redirects to /tags/donald-trump/" in output
    assert not Tag.objects.filter(name__in=["Trump", "donald j. trump"]).exists()


@pytest.mark.parametrize(
    "words, message",
    [
        (["trump", "donald-trump"], "usage: merge_tags SOURCE [SOURCE ...] INTO TARGET"),
        (["INTO", "donald-trump"], "usage: merge_tags SOURCE [SOURCE ...] INTO TARGET"),
        (["trump", "INTO"], "usage: merge_tags SOURCE [SOURCE ...] INTO TARGET"),
        (["nobody", "INTO", "donald-trump"], "no tag with the slug or name 'nobody'"),
        (["trump", "INTO", "Trump"], "'Trump' is both a source and the target"),
    ],
)
def test_the_command_refuses_unclear_requests_and_changes_nothing(duplicates, words, message):
    with pytest.raises(CommandError, match=message.replace("[", r"\[").replace("]", r"\]")):
        merge(*words)

    assert Tag.objects.count() == 4 and not TagRedirect.objects.exists()


def test_the_command_says_when_a_tag_was_already_merged(duplicates):
    merge("trump", "INTO", "donald-trump")

    with pytest.raises(CommandError, match="'trump' was already merged into 'Donald Trump'"):
        merge("trump", "INTO", "Russia")


def test_old_tag_urls_answer_301_to_the_target_page(client, duplicates, django_assert_max_num_queries):
    merge("trump", "donald-j-trump", "INTO", "donald-trump")

    # The tag lookup, the redirect lookup, and the page cache's next-publication check.
    with django_assert_max_num_queries(3):
        response = client.get("/tags/trump/")

    assert response.status_code == 301
    assert response["Location"] == "/tags/donald-trump/"
    page = client.get("/tags/donald-trump/")
    assert page.status_code == 200
    assert "Only a duplicate" in page.text and "Two duplicates" in page.text


def test_unknown_tag_urls_are_still_404(client, duplicates):
    merge("trump", "INTO", "donald-trump")

    assert client.get("/tags/never-existed/").status_code == 404


def test_a_new_tag_that_takes_an_old_slug_is_served_instead_of_the_redirect(client, duplicates):
    merge("trump", "INTO", "donald-trump")
    make_tag("Trump", slug="trump")

    assert client.get("/tags/trump/").status_code == 200


@pytest.fixture
def editor(client):
    user = User.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return user


def test_the_admin_action_asks_which_tag_to_keep_preselecting_the_most_used(
    client, editor, duplicates, django_assert_max_num_queries
):
    ids = [tag.pk for tag in [duplicates["target"], *duplicates["sources"]]]

    with django_assert_max_num_queries(8):
        response = client.post("/admin/tags/tag/", {"action": "merge_tags", "_selected_action": ids})

    assert response.status_code == 200
    assert "Choose the tag to keep" in response.text
    target = duplicates["target"]
    assert f'value="{target.pk}" id="id_target_0" required checked>' in response.text  # the most used
    assert "Donald Trump (/tags/donald-trump/, 3 articles)" in response.text
    assert Tag.objects.count() == 4  # nothing merged yet


def test_the_admin_action_merges_into_the_chosen_tag(client, editor, duplicates):
    lower, short = duplicates["sources"]
    ids = [tag.pk for tag in [duplicates["target"], lower, short]]

    response = client.post(
        "/admin/tags/tag/",
        {"action": "merge_tags", "_selected_action": ids, "target": short.pk, "apply": "Merge tags"},
        follow=True,
    )

    assert response.redirect_chain[-1] == ("/admin/tags/tag/", 302)
    assert "Merged Donald Trump, donald j. trump into Trump: 3 article(s) moved." in response.text
    assert list(Tag.objects.order_by("name").values_list("name", flat=True)) == ["Russia", "Trump"]
    assert client.get("/tags/donald-trump/")["Location"] == "/tags/trump/"


def test_the_admin_action_needs_two_tags(client, editor, duplicates):
    response = client.post(
        "/admin/tags/tag/",
        {"action": "merge_tags", "_selected_action": [duplicates["target"].pk]},
        follow=True,
    )

    assert "Select at least two tags to merge." in response.text
    assert Tag.objects.count() == 4


def test_the_admin_action_is_offered_only_to_users_who_may_delete_tags(client, duplicates):
    user = User.objects.create_user("reporter", password="pw", is_staff=True)
    tag_permissions = Permission.objects.filter(content_type__app_label="tags", content_type__model="tag")
    user.user_permissions.add(*tag_permissions.filter(codename__in=["view_tag", "delete_tag"]))
    client.force_login(user)

    assert "merge_tags" not in client.get("/admin/tags/tag/").text
    user.user_permissions.add(tag_permissions.get(codename="change_tag"))
    assert "merge_tags" in client.get("/admin/tags/tag/").text


def test_the_tag_changelist_keeps_a_fixed_number_of_queries(client, editor, django_assert_max_num_queries):
    for n in range(30):
        make_article(f"Story {n}", tags=[make_tag(), make_tag()])

    with django_assert_max_num_queries(8):
        response = client.get("/admin/tags/tag/")

    assert response.status_code == 200


def test_importing_a_merged_tag_name_again_links_the_target_instead_of_recreating_it(tmp_path, duplicates):
    merge("trump", "donald-j-trump", "INTO", "donald-trump")
    feed = tmp_path / "feed.rss"
    feed.write_text(
        "<rss><channel><item><guid>w-1</guid><title>Wire story</title>"
        "<category>Trump</category><category>Donald J. Trump</category></item></channel></rss>"
    )

    assert import_articles(feed).summary == "created 1, updated 0, unchanged 0, failed 0"

    assert tag_names(Article.objects.get(external_id="w-1")) == ["Donald Trump"]
    assert not Tag.objects.filter(slug__in=["trump", "donald-j-trump"]).exists()


def test_the_redirects_are_listed_in_the_admin_with_a_fixed_number_of_queries(
    client, editor, duplicates, django_assert_max_num_queries
):
    merge("trump", "donald-j-trump", "INTO", "donald-trump")

    with django_assert_max_num_queries(7):
        response = client.get("/admin/tags/tagredirect/")

    assert response.status_code == 200
    assert "donald-j-trump" in response.text and "Donald Trump" in response.text
