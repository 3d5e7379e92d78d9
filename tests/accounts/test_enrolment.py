"""
Enrolment in the admin, end to end through the test client: the QR code (inline SVG, drawn locally) and the
secret, confirmation with a first code, the ten recovery codes shown once; recovery codes work once each;
`manage.py reset_2fa` for a lost phone.
"""

import re
from base64 import b32encode

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.helpers import ENROL, VERIFY, current_token, enrol, verified_login

pytestmark = pytest.mark.django_db


def test_the_enrolment_page_shows_a_local_svg_qr_code_and_the_secret(
    client, publisher, django_assert_max_num_queries
):
    client.force_login(publisher)

    with django_assert_max_num_queries(12):
        response = client.get(ENROL)

    device = TOTPDevice.objects.get(user=publisher)
    assert not device.confirmed
    assert re.search(r"<svg[^>]*>\s*<path d=\"M", response.text)  # the QR code, inline
    assert b32encode(device.bin_key).decode() in response.text
    assert "no-cache" in response["Cache-Control"]  # never cached: it holds the secret
    # The CSP stays strict: every script carries the nonce, no script or image comes from elsewhere.
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script\b[^>]*>", response.text)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert not re.search(r"""(src|href)=["']https?://""", response.text)
    # Reloading keeps the same secret until it is confirmed (the app may already have scanned it).
    assert b32encode(device.bin_key).decode() in client.get(ENROL).text
    assert TOTPDevice.objects.filter(user=publisher).count() == 1


def test_enrolment_end_to_end_then_the_admin(client, editor):
    client.force_login(editor)
    assert client.get("/admin/articles/article/desk/")["Location"].startswith(ENROL)

    codes = enrol(client)

    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=editor).confirmed
    assert sorted(StaticToken.objects.filter(device__user=editor).values_list("token", flat=True)) == sorted(
        codes
    )
    assert client.get("/admin/articles/article/desk/").status_code == 200
    # Shown once: the page to enrol now just sends a verified user on.
    assert client.get(ENROL).status_code == 302


def test_a_wrong_first_code_is_refused_and_nothing_is_confirmed(client, editor):
    client.force_login(editor)
    client.get(ENROL)

    response = client.post(ENROL, {"token": "123456x"})

    assert response.status_code == 200
    assert "That code is not valid" in response.text
    assert not TOTPDevice.objects.get(user=editor).confirmed
    assert not StaticToken.objects.exists()
    assert client.get("/admin/")["Location"].startswith(ENROL)


def test_knowing_the_password_is_not_enough_to_enrol_a_second_device(client, editor):
    TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    client.force_login(editor)  # an attacker with the password, without the phone

    response = client.get(ENROL)

    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.post(ENROL, {"token": "000000"})["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=editor).count() == 1


def test_a_recovery_code_works_once(editor):
    first = Client()
    first.force_login(editor)
    codes = enrol(first)

    phoneless = Client()
    phoneless.force_login(editor)
    assert phoneless.post(VERIFY, {"token": f" {codes[0]} "}).status_code == 302  # spaces are ignored
    assert phoneless.get("/admin/").status_code == 200
    assert StaticToken.objects.filter(device__user=editor).count() == 9

    again = Client()
    again.force_login(editor)
    response = again.post(VERIFY, {"token": codes[0]})
    assert response.status_code == 200
    assert "already used" in response.text
    assert again.get("/admin/")["Location"].startswith(VERIFY)


def test_reset_2fa_removes_the_devices_and_ends_verified_sessions(client, capsys, publisher):
    device = verified_login(client, publisher)
    assert client.get("/admin/").status_code == 200

    call_command("reset_2fa", "publisher")

    assert "Removed 1 two-factor device(s) of publisher" in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    # The session verified by the removed device is verified no more: enrolment starts again.
    assert client.get("/admin/")["Location"].startswith(ENROL)
    assert client.post(VERIFY, {"token": current_token(device)})["Location"].startswith(
        ENROL
    )  # old secret: void


def test_reset_2fa_removes_recovery_codes_too(client, editor):
    client.force_login(editor)
    enrol(client)

    call_command("reset_2fa", "editor")

    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not StaticToken.objects.filter(device__user=editor).exists()


def test_reset_2fa_of_an_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No user named 'nobody': nothing was reset."):
        call_command("reset_2fa", "nobody")


def test_the_device_admin_never_shows_a_secret(client, superuser, editor):
    from base64 import b32encode as encode

    verified_login(client, superuser)
    device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)

    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")

    assert page.status_code == 200
    assert device.key not in page.text and encode(device.bin_key).decode() not in page.text
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403
