"""
Staff sessions: logged out after STAFF_SESSION_IDLE_MINUTES without a request (the last activity written
at most once a minute), a password change ends the user's other sessions, and `manage.py sessions` lists
and revokes a user's sessions.
"""

import time
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.sessions import LAST_ACTIVITY
from tests.accounts.helpers import admin_form_data, verified_login

pytestmark = pytest.mark.django_db


def logged_in(username, **extra):
    browser = Client(**extra)
    response = browser.post(
        "/admin/login/", {"username": username, "password": f"pw-{username}", "next": "/admin/"}
    )
    assert response.status_code == 302, response.content
    return browser


def backdate_activity(browser, seconds):
    session = browser.session
    session[LAST_ACTIVITY] -= seconds
    session.save()


def test_an_idle_staff_session_ends_with_a_message_on_the_login_page(settings, reporter):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    browser = logged_in("reporter")
    assert browser.get("/admin/").status_code == 200

    backdate_activity(browser, 31 * 60)
    response = browser.get("/admin/articles/article/", follow=True)

    assert response.redirect_chain[0][0] == "/admin/login/?next=/admin/articles/article/"
    assert "You were logged out after 30 minutes without activity" in response.text
    assert browser.get("/admin/")["Location"].startswith("/admin/login/")


def test_activity_within_the_limit_keeps_the_session(settings, reporter):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    browser = logged_in("reporter")

    backdate_activity(browser, 29 * 60)

    assert browser.get("/admin/").status_code == 200
    assert time.time() - browser.session[LAST_ACTIVITY] < 5  # renewed by that request


def test_the_last_activity_is_written_at_most_once_a_minute(reporter):
    browser = logged_in("reporter")
    written = browser.session[LAST_ACTIVITY]

    with CaptureQueriesContext(connection) as queries:
        assert browser.get("/admin/").status_code == 200
        assert browser.get("/admin/articles/article/").status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]
    assert browser.session[LAST_ACTIVITY] == written

    backdate_activity(browser, 61)
    browser.get("/admin/")
    assert browser.session[LAST_ACTIVITY] > written - 61


def test_sessions_of_non_staff_users_have_no_idle_limit(db):
    User.objects.create_user("reader", "reader@example.com", "pw-reader")
    browser = Client()
    browser.force_login(User.objects.get(username="reader"))

    assert LAST_ACTIVITY not in browser.session
    assert browser.get("/").status_code == 200


def test_changing_ones_own_password_ends_the_other_sessions_only(reporter):
    laptop, phone = logged_in("reporter"), logged_in("reporter")

    response = laptop.post(
        "/admin/password_change/",
        {
            "old_password": "pw-reporter",
            "new_password1": "A-new-long-one-42",
            "new_password2": "A-new-long-one-42",
        },
    )

    assert response.status_code == 302
    assert laptop.get("/admin/").status_code == 200
    assert not Session.objects.filter(session_key=phone.session.session_key).exists()
    assert phone.get("/admin/")["Location"].startswith("/admin/login/")
    assert Session.objects.count() == 1


def test_a_password_set_by_an_administrator_ends_all_the_users_sessions(client, superuser, reporter):
    reporters_browser = logged_in("reporter")
    verified_login(client, superuser)
    url = f"/admin/auth/user/{reporter.pk}/password/"

    response = client.post(
        url, admin_form_data(client.get(url), password1="A-new-long-one-42", password2="A-new-long-one-42")
    )

    assert response.status_code == 302
    assert reporters_browser.get("/admin/")["Location"].startswith("/admin/login/")
    assert client.get("/admin/").status_code == 200


def test_the_sessions_command_lists_then_revokes_a_users_sessions(reporter, editor):
    laptop = logged_in("reporter", HTTP_USER_AGENT="Firefox on the newsroom laptop")
    logged_in("reporter", REMOTE_ADDR="192.0.2.9", HTTP_USER_AGENT="Safari on a phone")
    editors = logged_in("editor")

    out = StringIO()
    call_command("sessions", "reporter", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 and lines[-1] == "2 session(s). Run again with --revoke to end them all."
    laptop_line = next(line for line in lines if "Firefox" in line)
    assert laptop_line.startswith(laptop.session.session_key[:8] + "…")
    assert laptop.session.session_key not in out.getvalue()  # only a prefix: the key would let one log in
    assert (
        "from 127.0.0.1" in laptop_line and "last activity 20" in laptop_line and "expires 20" in laptop_line
    )
    assert "from 192.0.2.9" in next(line for line in lines if "Safari" in line)

    out = StringIO()
    call_command("sessions", "reporter", "--revoke", stdout=out)

    assert "Revoked 2 session(s) of reporter" in out.getvalue()
    assert laptop.get("/admin/")["Location"].startswith("/admin/login/")
    assert Session.objects.filter(session_key=editors.session.session_key).exists()  # others' stay
    out = StringIO()
    call_command("sessions", "reporter", stdout=out)
    assert out.getvalue() == "reporter has no session.\n"


def test_the_sessions_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user named 'nobody': no session was listed or revoked"):
        call_command("sessions", "nobody", "--revoke", stdout=StringIO())


def test_the_sessions_command_explains_an_engine_it_cannot_search(settings, reporter):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"

    with pytest.raises(CommandError, match="keeps no list of sessions to search"):
        call_command("sessions", "reporter", stdout=StringIO())


def test_readers_pages_are_untouched_by_the_idle_check(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/robots.txt")

    assert not response.cookies  # no session is started for them
