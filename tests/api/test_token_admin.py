"""Tokens are made in the admin, for oneself, only from a two-factor-verified session; the key shows once."""

import re

import pytest

from api.models import Token, hash_key
from tests.accounts.helpers import verified_login

pytestmark = pytest.mark.django_db

ADD = "/admin/api/token/add/"


def test_a_verified_session_creates_a_token_and_sees_its_key_once(client, publisher):
    verified_login(client, publisher)

    response = client.post(ADD, {"name": "wire", "scopes": ["write:drafts"]}, follow=True)

    assert response.status_code == 200
    key = re.search(r"copy it now\): ([A-Za-z0-9_-]+)", response.text).group(1)
    token = Token.objects.get(user=publisher)
    assert token.key_hash == hash_key(key) and token.scopes == ["write:drafts"]
    assert key not in client.get(f"/admin/api/token/{token.pk}/change/").text


def test_a_session_without_two_factor_cannot_create_a_token(client, reporter):
    client.force_login(reporter)

    response = client.post(ADD, {"name": "wire", "scopes": ["write:drafts"]})

    assert response.status_code in (302, 403)
    assert not Token.objects.exists()


def test_the_token_list_shows_only_ones_own_tokens(client, publisher, editor, django_assert_max_num_queries):
    Token.issue(editor, name="editor's")
    Token.issue(publisher, name="mine")
    verified_login(client, publisher)

    with django_assert_max_num_queries(12):
        response = client.get("/admin/api/token/")

    assert "mine" in response.text and "editor&#x27;s" not in response.text
