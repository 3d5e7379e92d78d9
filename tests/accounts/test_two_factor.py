"""
Two-factor authentication in the admin: who must use it, that no admin URL lets them past without it (the
desk's own views included), the login's code step, and that everyone else gets in as before.
"""

import re
import uuid

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver
from django.urls.resolvers import RegexPattern
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.models import Status
from desk.models import PreviewLink
from tests.accounts.helpers import ENROL, VERIFY, current_token, verified_login
from tests.shared_fixtures import make_ready_article, make_user

pytestmark = pytest.mark.django_db

PLACEHOLDERS = {"action": "submit", "link_id": str(uuid.uuid4()), "number": "1", "app_label": "articles"}


def every_admin_path(article_pk):
    """A concrete path for every URL pattern of the admin site: each model admin's, the desk's custom ones."""

    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry.pattern, RegexPattern):
                # The app index (app_label alternatives) and the catch-all final URL.
                route = "articles/" if "app_label" in entry.pattern.regex.pattern else "no-such-page/"
            else:
                route = re.sub(
                    r"<(?:\w+:)?(\w+)>", lambda m: PLACEHOLDERS.get(m[1], str(article_pk)), str(entry.pattern)
                )
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + route)
            elif isinstance(entry, URLPattern):
                yield prefix + route

    # Login and logout stay open (a user must be able to start and end a session): checked on their own below.
    return sorted(set(walk(admin.site.get_urls(), "/admin/")) - {"/admin/login/", "/admin/logout/"})


@pytest.fixture
def article(reporter):
    return make_ready_article(reporter)


def test_the_admin_walk_covers_the_desks_views_and_every_model(article):
    paths = every_admin_path(article.pk)

    desk = f"/admin/articles/article/{article.pk}"
    for expected in [
        "/admin/",
        "/admin/articles/article/desk/",
        "/admin/articles/article/activity/",
        f"{desk}/workflow/submit/",
        f"{desk}/revisions/",
        f"{desk}/preview/",
        f"{desk}/note/",
        "/admin/auth/user/",
        "/admin/auditlog/logentry/",
        "/admin/otp_totp/totpdevice/",
        "/admin/no-such-page/",
    ]:
        assert expected in paths
    assert len(paths) > 80


@pytest.mark.parametrize("role", ["editor", "publisher", "superuser"])
def test_without_a_device_every_admin_url_sends_them_to_enrolment(client, users, role, article):
    client.force_login(users[role])

    for path in every_admin_path(article.pk):
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 302, path
            assert response["Location"].startswith(f"{ENROL}?next="), path
    assert Status(article.__class__.objects.get(pk=article.pk).status) == Status.DRAFT


@pytest.mark.parametrize("role", ["editor", "publisher"])
def test_with_a_device_but_no_code_yet_every_admin_url_asks_for_the_code(client, users, role, article):
    TOTPDevice.objects.create(user=users[role], name="phone", confirmed=True)
    client.force_login(users[role])  # the password step alone

    for path in every_admin_path(article.pk):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{VERIFY}?next="), path


def test_an_unverified_publisher_cannot_share_a_preview_but_links_stay_public(client, publisher, article):
    client.force_login(publisher)

    response = client.post(f"/admin/articles/article/{article.pk}/preview/")

    assert response.status_code == 302 and response["Location"].startswith(ENROL)
    assert not PreviewLink.objects.exists()


def test_a_verified_session_gets_into_the_desk(client, publisher, article, django_assert_max_num_queries):
    verified_login(client, publisher)

    assert client.get("/admin/").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get("/admin/articles/article/desk/").status_code == 200
    response = client.post(f"/admin/articles/article/{article.pk}/workflow/submit/")
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW


def test_a_reporter_without_two_factor_gets_in(client, reporter, article):
    client.force_login(reporter)

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/articles/article/desk/").status_code == 200
    assert client.get(f"/admin/articles/article/{article.pk}/change/").status_code == 200


def test_the_roles_that_need_two_factor_are_configurable(client, settings, reporter, publisher):
    settings.OTP_REQUIRED_ROLES = ["Reporter"]
    client.force_login(reporter)
    assert client.get("/admin/")["Location"].startswith(ENROL)

    settings.OTP_REQUIRED_ROLES = []
    client.force_login(publisher)
    assert client.get("/admin/").status_code == 200


def test_permissions_make_two_factor_required_whatever_the_group(client, db):
    from django.contrib.auth.models import Permission

    manager = make_user("manager")
    manager.user_permissions.add(Permission.objects.get(codename="change_user"))
    client.force_login(manager)

    assert client.get("/admin/")["Location"].startswith(ENROL)


def test_password_login_then_the_code_step_then_the_admin(editor):
    device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    browser = Client()

    response = browser.post(
        "/admin/login/?next=/admin/articles/article/desk/",
        {"username": "editor", "password": "pw-editor", "next": "/admin/articles/article/desk/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith(VERIFY)
    assert 'name="token"' in response.text

    wrong = browser.post(VERIFY, {"token": "000000", "next": "/admin/articles/article/desk/"})
    assert wrong.status_code == 200
    assert "That code is not valid" in wrong.text
    assert browser.get("/admin/").status_code == 302

    device.refresh_from_db()
    device.throttling_failure_count = 0  # the failure above delays the next try by design; a user would wait
    device.save()
    response = browser.post(VERIFY, {"token": current_token(device), "next": "/admin/articles/article/desk/"})
    assert response.status_code == 302 and response["Location"] == "/admin/articles/article/desk/"
    assert browser.get("/admin/articles/article/desk/").status_code == 200


def test_the_code_step_never_redirects_off_site(client, editor):
    device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    client.force_login(editor)

    response = client.post(VERIFY, {"token": current_token(device), "next": "https://evil.example/"})

    assert response["Location"] == "/admin/"


def test_login_logout_and_the_two_factor_pages_stay_open(client, editor):
    client.force_login(editor)

    assert client.get(ENROL).status_code == 200
    assert (
        client.get("/admin/login/")["Location"] == "/admin/"
    )  # logged in already: on to the admin (and 2FA)
    assert client.post("/admin/logout/").status_code == 200
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_the_api_prefix_is_guarded_too(client, publisher):
    # Whatever is mounted under /api/ later: a session that skipped the code step gets nothing there.
    client.force_login(publisher)

    for method in (client.get, client.post):
        response = method("/api/articles/")
        assert response.status_code == 302 and response["Location"].startswith(f"{ENROL}?next=")


def test_a_preview_link_shows_an_unverified_publisher_no_more_than_anyone_holding_it(
    client, publisher, article
):
    link = PreviewLink.objects.create(article=article, created_by=publisher)
    anonymous = Client().get(f"/preview/{link.token}/")
    client.force_login(publisher)

    response = client.get(f"/preview/{link.token}/")

    assert response.status_code == anonymous.status_code == 200
    assert article.headline in response.text
    assert client.get(f"/preview/{link.token}x/").status_code == 404  # no link, no page: not even for staff
