"""
Login throttling (django-axes, accounts/lockout.py): a username tried AXES_FAILURE_LIMIT times from one
address without success is locked out there, with a page that says when to retry and whom to ask; wrong
two-factor codes count; `axes_reset_username`, a success or the end of the cool-off unlock.
"""

import datetime
import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from newsroom.db_router import _replica_reads
from tests.accounts.helpers import VERIFY, current_token, verified_login

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


def log_in(browser, username, password, **extra):
    return browser.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra)


def fail(browser, username, times, **extra):
    return [log_in(browser, username, "wrong", **extra).status_code for _ in range(times)]


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.parts.append(data)


def page_text(response):
    parser = _Text()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split()), parser.tags


def test_the_fifth_wrong_password_locks_the_username_out_with_a_429_page(settings, editor):
    settings.LOCKOUT_CONTACT = "the web desk (web@example.com)"
    browser = Client()

    assert fail(browser, "editor", 4) == [200, 200, 200, 200]
    assert "wrong" not in AccessAttempt.objects.get().post_data  # no password is kept
    locked = log_in(browser, "editor", "wrong")

    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    text, tags = page_text(locked)
    assert "locked on this computer for 15 minutes after 5 failed logins" in text
    (retry_at,) = [attrs["datetime"] for tag, attrs in tags if tag == "time"]
    retry = datetime.datetime.fromisoformat(retry_at)
    until = timezone.now() + datetime.timedelta(minutes=15)
    assert until <= retry <= until + datetime.timedelta(minutes=1)
    assert f"try again at {timezone.localtime(retry):%H:%M}" in text
    assert "Ask the web desk (web@example.com)" in text
    assert re.search(r"nonce-[^']+", locked["Content-Security-Policy"])  # our strict CSP holds on it too

    # The right password no longer helps, and no session is opened.
    right = log_in(browser, "editor", "pw-editor")
    assert right.status_code == 429
    assert browser.get("/admin/")["Location"].startswith(LOGIN)


def test_the_limit_and_the_cool_off_are_settings(settings, reporter):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=3)

    assert fail(Client(), "reporter", 2) == [200, 429]
    text, _ = page_text(log_in(Client(), "reporter", "wrong"))
    assert "for 3 minutes after 2 failed logins" in text


def test_the_lock_is_per_username_and_address(editor, reporter):
    assert fail(Client(), "editor", 5)[-1] == 429

    # The same username from another address, and another username from the same one, still get in.
    assert log_in(Client(), "editor", "pw-editor", REMOTE_ADDR="192.0.2.7").status_code == 302
    assert log_in(Client(), "reporter", "pw-reporter").status_code == 302
    assert log_in(Client(), "editor", "pw-editor").status_code == 429


def test_a_successful_login_clears_the_count(reporter):
    browser = Client()
    assert fail(browser, "reporter", 4) == [200] * 4
    assert log_in(browser, "reporter", "pw-reporter").status_code == 302
    browser.post("/admin/logout/")

    assert fail(browser, "reporter", 4) == [200] * 4  # counting from zero again
    assert log_in(browser, "reporter", "pw-reporter").status_code == 302


def test_axes_reset_username_unlocks_at_once(editor):
    assert fail(Client(), "editor", 5)[-1] == 429

    out = StringIO()
    call_command("axes_reset_username", "editor", stdout=out)

    assert "removed" in out.getvalue()
    assert log_in(Client(), "editor", "pw-editor").status_code == 302


def test_the_lock_ends_after_the_cool_off(editor):
    assert fail(Client(), "editor", 5)[-1] == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))

    assert log_in(Client(), "editor", "pw-editor").status_code == 302


def wrong_codes(browser, times):
    return [browser.post(VERIFY, {"token": "000000"}).status_code for _ in range(times)]


def test_wrong_two_factor_codes_count_as_failed_logins_and_end_the_session(editor):
    device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    browser = Client()
    assert log_in(browser, "editor", "pw-editor").status_code == 302
    assert browser.get("/admin/")["Location"].startswith(VERIFY)

    assert wrong_codes(browser, 4) == [200] * 4
    locked = browser.post(VERIFY, {"token": "000000"})
    (attempt,) = AccessAttempt.objects.all()
    assert attempt.failures_since_start == 5 and "000000" not in attempt.post_data  # codes are masked

    assert locked.status_code == 429
    assert browser.get("/admin/")["Location"].startswith(LOGIN)  # the half-logged-in session is gone
    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp's own delay aside: axes is what refuses now
    device.save()
    assert log_in(browser, "editor", "pw-editor").status_code == 429


def test_logging_in_again_with_the_password_does_not_clear_wrong_codes(editor):
    TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    browser = Client()
    log_in(browser, "editor", "pw-editor")
    assert wrong_codes(browser, 4) == [200] * 4

    assert log_in(browser, "editor", "pw-editor").status_code == 302  # the password is still right
    assert browser.get("/admin/")["Location"].startswith(VERIFY)

    assert wrong_codes(browser, 1) == [429]


def test_passing_the_code_step_clears_the_count(editor):
    device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    browser = Client()
    assert fail(browser, "editor", 3) == [200] * 3
    log_in(browser, "editor", "pw-editor")

    assert browser.post(VERIFY, {"token": current_token(device)}).status_code == 302

    assert not AccessAttempt.objects.exists()


def test_superusers_see_attempts_and_lockouts_in_the_admin(
    client, superuser, editor, django_assert_max_num_queries
):
    fail(Client(), "editor", 5)
    verified_login(client, superuser)

    with django_assert_max_num_queries(20):
        attempts = client.get("/admin/axes/accessattempt/?locked_out=yes")
    assert attempts.status_code == 200
    assert "editor" in attempts.text and "127.0.0.1" in attempts.text
    with django_assert_max_num_queries(20):
        assert client.get("/admin/axes/accesslog/").status_code == 200


def test_other_staff_cannot_see_the_attempts(client, reporter):
    client.force_login(reporter)

    assert client.get("/admin/axes/accessattempt/").status_code == 403


def test_failure_counts_are_read_from_the_primary_even_for_anonymous_reads(settings, monkeypatch, editor):
    from django.db import router

    from articles.models import Article

    monkeypatch.setitem(settings.DATABASES, "replica1", {**settings.DATABASES["default"]})
    token = _replica_reads.set(True)
    try:
        assert router.db_for_read(AccessAttempt) == "default"
        assert router.db_for_read(Article) == "replica1"
    finally:
        _replica_reads.reset(token)
    assert router.db_for_write(AccessAttempt) == "default"


def test_there_is_no_password_reset_to_throttle(client):
    # Staff passwords are reset by an administrator (docs/security.md): no view sends reset links.
    for name in ("admin_password_reset", "password_reset"):
        with pytest.raises(NoReverseMatch):
            reverse(name)
    assert "password_reset" not in client.get(LOGIN).text


def test_the_lockout_page_is_valid_html(editor, vnu_command, tmp_path):
    from tests.public.test_html_validity import validate

    fail(Client(), "editor", 4)
    page = tmp_path / "lockout.html"
    page.write_bytes(log_in(Client(), "editor", "wrong").content)

    assert validate(vnu_command, [page]) == {"lockout.html": []}
