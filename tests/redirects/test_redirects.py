"""Managed redirects over HTTP: 301/302/410 only where nothing else answers, hits counted in the database,
no cost for ordinary pages, chains collapsed and loops refused, the CSV import (all or nothing, each bad
row reported), the admin list, and article URLs that change (slug, date, section)."""

import datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from public.cache import forget_local
from redirects.models import Redirect
from tests.factories import make_article, make_section

pytestmark = pytest.mark.django_db


def test_an_unknown_path_with_a_redirect_answers_301_and_counts_the_hit(client):
    made = Redirect.objects.create(old_path="/old/story.html", new_path="/new/")
    response = client.get("/old/story.html?utm_source=x")
    assert response.status_code == 301 and response["Location"] == "/new/?utm_source=x"
    client.get("/old/story.html")
    made.refresh_from_db()
    assert made.hit_count == 2 and made.last_hit is not None


def test_302_is_temporary_and_410_renders_a_gone_page(client):
    Redirect.objects.create(old_path="/campaign/", new_path="https://example.org/offer", status=302)
    Redirect.objects.create(old_path="/withdrawn/", status=410)
    response = client.get("/campaign/")
    assert response.status_code == 302 and response["Location"] == "https://example.org/offer"
    gone = client.get("/withdrawn/")
    assert gone.status_code == 410 and "This page has been removed" in gone.text


def test_a_trailing_slash_difference_still_finds_the_redirect(client):
    Redirect.objects.create(old_path="/about-us", new_path="/about/")
    assert client.get("/about-us/")["Location"] == "/about/"


def test_a_live_page_is_served_even_if_a_redirect_names_its_path(client):
    article = make_article("Live story")
    Redirect.objects.create(old_path=article.get_absolute_url(), new_path="/elsewhere/")
    assert client.get(article.get_absolute_url()).status_code == 200


def test_an_ordinary_article_page_costs_no_redirect_query(client):
    url = make_article("Counted story").get_absolute_url()
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    Redirect.objects.bulk_create(Redirect(old_path=f"/old-{n}/", new_path="/") for n in range(50))
    cache.clear()
    forget_local()
    with CaptureQueriesContext(connection) as after:
        assert client.get(url).status_code == 200
    assert len(after) == len(before) > 0
    assert not any("redirects_redirect" in query["sql"] for query in after.captured_queries)


def test_a_plain_404_costs_one_redirect_lookup(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert client.get("/no/such/page/").status_code == 404


def test_saving_collapses_chains_both_ways():
    Redirect.objects.create(old_path="/a/", new_path="/b/")
    Redirect.objects.create(old_path="/b/", new_path="/c/")
    assert Redirect.objects.get(old_path="/a/").new_path == "/c/"  # the earlier one goes straight on
    Redirect.objects.create(old_path="/z/", new_path="/a/")
    assert Redirect.objects.get(old_path="/z/").new_path == "/c/"  # a new one pointing into a chain


def test_a_loop_is_refused_with_the_reason(admin_client):
    Redirect.objects.create(old_path="/a/", new_path="/b/")
    response = admin_client.post(
        "/admin/redirects/redirect/add/", {"old_path": "/b/", "new_path": "/a/", "status": 301}
    )
    assert response.status_code == 200
    assert "Loop: /b/ → /a/ leads back to /b/." in response.text
    assert not Redirect.objects.filter(old_path="/b/").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"old_path": "old", "new_path": "/x/", "status": 301},
            "is not a path on this site: it must start with",
        ),
        ({"old_path": "/x/", "new_path": "", "status": 301}, "A 301 redirect needs a new path."),
        ({"old_path": "/x/", "new_path": "/y/", "status": 410}, "A 410 gone redirect has no new path"),
        ({"old_path": "/x/", "new_path": "/x/", "status": 302}, "The new path is the old path"),
        ({"old_path": "/x/", "new_path": "ftp://a", "status": 301}, "is neither a path on this site"),
    ],
)
def test_the_admin_form_says_what_is_wrong(admin_client, data, message):
    response = admin_client.post("/admin/redirects/redirect/add/", data)
    assert message in response.text.replace("&quot;", '"').replace("&#x27;", "'")
    assert not Redirect.objects.exists()


def test_the_admin_records_who_made_it_and_lists_with_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    admin_client.post("/admin/redirects/redirect/add/", {"old_path": "/x/", "new_path": "/y/", "status": 301})
    assert Redirect.objects.get().created_by.username == "admin"
    Redirect.objects.bulk_create(Redirect(old_path=f"/old-{n}/", new_path="/") for n in range(30))
    with django_assert_max_num_queries(8):
        response = admin_client.get("/admin/redirects/redirect/", {"q": "old", "status__exact": 301})
    assert response.status_code == 200 and "30 redirects" in response.text


def upload(admin_client, text):
    file = SimpleUploadedFile("redirects.csv", text.encode(), content_type="text/csv")
    return admin_client.post("/admin/redirects/redirect/import/", {"file": file}, follow=True)


def test_csv_import_saves_every_row_and_collapses_chains(admin_client):
    Redirect.objects.create(old_path="/kept/", new_path="/old-target/")
    response = upload(
        admin_client,
        "old_path,new_path,status\n/one/,/two/,301\n/two/,/three/\n/gone/,,410\n/kept/,/new-target/,302\n",
    )
    assert "Imported: 3 redirect(s) created, 1 updated." in response.text
    stored = {r.old_path: (r.new_path, r.status) for r in Redirect.objects.all()}
    assert stored == {
        "/one/": ("/three/", 301),
        "/two/": ("/three/", 301),
        "/gone/": ("", 410),
        "/kept/": ("/new-target/", 302),
    }


def test_csv_import_with_a_bad_row_saves_nothing_and_reports_each_by_line(admin_client):
    response = upload(
        admin_client,
        "old_path,new_path,status\n/fine/,/ok/,301\nno-slash,/x/,301\n/a/,/b/\n/b/,/a/\n/c/,/d/,999\n"
        "/fine/,/again/\n/e/,/f/,g\n/only-one-column\n",
    )
    assert response.status_code == 400
    text = response.text.replace("&#x27;", "'")
    for expected in [
        "Line 3: “no-slash” is not a path on this site",
        "Line 5: Loop: /b/ → /a/ leads back to /b/.",
        "Line 6: “999” is not a redirect status: use 301, 302, 410.",
        "Line 7: /fine/ is already on line 2",
        "Line 8: status “g” is not a number: use 301, 302 or 410",
        "Line 9: expected 2 or 3 columns (old_path,new_path,status), got 1",
    ]:
        assert expected in text
    assert "Nothing was imported: 6 problem(s)." in text
    assert not Redirect.objects.exists()


def test_csv_import_refuses_a_file_that_is_not_utf8(admin_client):
    file = SimpleUploadedFile("r.csv", "/caf\xe9/,/x/\n".encode("latin-1"))
    response = admin_client.post("/admin/redirects/redirect/import/", {"file": file})
    assert response.status_code == 400 and "The file is not UTF-8 text" in response.text
    assert not Redirect.objects.exists()


def test_csv_import_needs_add_and_change_permission(client, reporter, editor):
    client.force_login(reporter)
    assert client.get("/admin/redirects/redirect/import/").status_code == 403
    client.force_login(editor)
    assert client.get("/admin/redirects/redirect/import/").status_code == 200


# --- article URLs that change ------------------------------------------------------------------------------


def test_an_article_whose_slug_changes_answers_301_at_the_old_url(client):
    article = make_article("Bridge reopens")
    old_url = article.get_absolute_url()
    article.slug = "harbour-bridge-reopens"
    article.save()
    response = client.get(old_url)
    assert response.status_code == 301 and response["Location"] == article.get_absolute_url()


def test_an_article_whose_date_changes_answers_301_at_the_old_url(client):
    article = make_article("Dated story", published_at=timezone.now() - datetime.timedelta(days=3))
    old_url = article.get_absolute_url()
    article.published_at = timezone.now() - datetime.timedelta(hours=2)
    article.save()
    assert old_url != article.get_absolute_url()
    response = client.get(old_url)
    assert response.status_code == 301 and response["Location"] == article.get_absolute_url()


def test_a_section_change_leaves_the_article_url_as_it_is(client):
    article = make_article("Moved story", section=make_section("News"))
    url = article.get_absolute_url()
    article.section = make_section("World")
    article.save()
    assert article.get_absolute_url() == url and client.get(url).status_code == 200


def test_an_article_renamed_while_unpublished_keeps_its_old_url_once_republished(client):
    article = make_article("Taken down")
    old_url = article.get_absolute_url()
    Article.objects.filter(pk=article.pk).update(status="unpublished")
    article.refresh_from_db()
    article.slug = "taken-down-renamed"
    article.save()
    article.status = "published"
    article.save()
    assert client.get(old_url)["Location"] == article.get_absolute_url()


def test_a_managed_redirect_to_an_article_follows_the_article_when_its_url_changes(client):
    article = make_article("Followed story")
    Redirect.objects.create(old_path="/2019/followed.html", new_path=article.get_absolute_url())
    article.slug = "followed-story-renamed"
    article.save()
    assert Redirect.objects.get().new_path == article.get_absolute_url()
    assert client.get("/2019/followed.html")["Location"] == article.get_absolute_url()  # one hop, not two
