"""
The audit log (django-auditlog): creates, updates and deletes done through the admin are recorded with
actor, client address, time and changed fields; secrets never are; its admin is read-only; old entries are
pruned by `manage.py prune_audit_log`.
"""

import datetime
import re

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.models import Section, Status
from authors.models import Author
from desk.models import Transition
from tags.models import Tag, TagRedirect
from tests.accounts.helpers import admin_form_data, enrol, verified_login
from tests.factories import make_tag
from tests.shared_fixtures import make_ready_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, superuser):
    verified_login(client, superuser)
    return client


def entries_for(obj):
    return LogEntry.objects.get_for_object(obj).order_by("timestamp", "pk")


# model, changelist URL, the add form's fields, a field to change
CRUD = [
    (Tag, "/admin/tags/tag/", {"name": "Budget", "slug": "budget"}, {"description": "Money matters"}),
    (
        Section,
        "/admin/articles/section/",
        {"name": "Metro", "slug": "metro", "position": "3"},
        {"position": "4"},
    ),
    (Author, "/admin/authors/author/", {"name": "Ann Lee", "slug": "ann-lee"}, {"email": "ann@example.com"}),
    (Group, "/admin/auth/group/", {"name": "Interns"}, {"name": "Summer interns"}),
]


@pytest.mark.parametrize(("model", "url", "fields", "change"), CRUD, ids=[row[0].__name__ for row in CRUD])
def test_create_update_delete_through_the_admin_are_logged(
    admin_client, superuser, model, url, fields, change
):
    add = admin_client.get(f"{url}add/")
    assert admin_client.post(f"{url}add/", admin_form_data(add, **fields)).status_code == 302
    obj = model.objects.get(name=fields["name"])
    edit = admin_client.get(f"{url}{obj.pk}/change/")
    assert admin_client.post(f"{url}{obj.pk}/change/", admin_form_data(edit, **change)).status_code == 302
    assert admin_client.post(f"{url}{obj.pk}/delete/", {"post": "yes"}).status_code == 302

    created, updated, deleted = entries_for(obj)
    assert [created.action, updated.action, deleted.action] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.DELETE,
    ]
    for entry in (created, updated, deleted):
        assert entry.actor == superuser
        assert entry.remote_addr == "127.0.0.1"
        assert timezone.now() - entry.timestamp < datetime.timedelta(minutes=1)
    assert created.changes_dict["name"] == ["None", fields["name"]]
    (field, value), *_ = change.items()
    assert updated.changes_dict[field][1] == value


def test_a_groups_permissions_and_a_users_groups_are_logged(admin_client):
    group = Group.objects.create(name="Night desk")
    permission = Permission.objects.get(codename="publish_article")
    edit = admin_client.get(f"/admin/auth/group/{group.pk}/change/")
    admin_client.post(
        f"/admin/auth/group/{group.pk}/change/", admin_form_data(edit, permissions=[permission.pk])
    )

    (m2m,) = [entry for entry in entries_for(group) if "permissions" in entry.changes_dict]
    assert m2m.changes_dict["permissions"]["type"] == "m2m"
    assert m2m.changes_dict["permissions"]["operation"] == "add"


def test_users_are_logged_without_their_password_hash(admin_client, superuser):
    add = admin_client.get("/admin/auth/user/add/")
    data = admin_form_data(
        add, username="newbie", password1="Tr1cky-passphrase", password2="Tr1cky-passphrase"
    )
    data["usable_password"] = "true"
    assert admin_client.post("/admin/auth/user/add/", data).status_code == 302
    user = User.objects.get(username="newbie")
    admin_client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": "An0ther-passphrase", "password2": "An0ther-passphrase", "usable_password": "true"},
    )
    edit = admin_client.get(f"/admin/auth/user/{user.pk}/change/")
    admin_client.post(f"/admin/auth/user/{user.pk}/change/", admin_form_data(edit, first_name="New"))
    user.refresh_from_db()

    entries = list(entries_for(user))
    assert {entry.action for entry in entries} == {LogEntry.Action.CREATE, LogEntry.Action.UPDATE}
    assert any(entry.changes_dict.get("first_name") == ["", "New"] for entry in entries)
    for entry in entries:
        assert entry.actor == superuser
        assert "password" not in entry.changes_dict
        assert user.password not in entry.changes


def test_no_entry_holds_a_password_hash_or_an_otp_secret(client, editor):
    client.force_login(editor)
    codes = enrol(client)
    editor.set_password("Changed-passphrase-9")
    editor.save()
    editor.first_name = "Eddie"
    editor.save()

    dump = " ".join(f"{e.changes} {e.serialized_data} {e.additional_data}" for e in LogEntry.objects.all())
    assert "Eddie" in dump  # the user's changes are logged, its secrets are not:
    assert editor.password not in dump and "md5$" not in dump
    device = editor.totpdevice_set.get()
    assert device.key not in dump
    assert not any(code in dump for code in codes)


def test_tag_redirects_are_logged(admin_client, superuser):
    target = make_tag("Target")
    add = admin_client.get("/admin/tags/tagredirect/add/")
    data = admin_form_data(add, old_slug="old-name", old_name="Old name", target=target.pk)
    assert admin_client.post("/admin/tags/tagredirect/add/", data).status_code == 302
    redirect = TagRedirect.objects.get()
    assert (
        admin_client.post(f"/admin/tags/tagredirect/{redirect.pk}/delete/", {"post": "yes"}).status_code
        == 302
    )

    created, deleted = entries_for(redirect)
    assert (created.action, deleted.action) == (LogEntry.Action.CREATE, LogEntry.Action.DELETE)
    assert created.changes_dict["old_slug"] == ["None", "old-name"] and created.actor == superuser


def test_workflow_transitions_and_slug_history_are_logged(admin_client, superuser, reporter):
    article = make_ready_article(reporter, headline="Original headline")
    for action in ["submit", "approve", "publish"]:
        admin_client.post(f"/admin/articles/article/{article.pk}/workflow/{action}/")
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED

    transitions = LogEntry.objects.get_for_model(Transition).order_by("pk")
    assert [t.changes_dict["action"][1] for t in transitions] == ["submit", "approve", "publish"]
    assert all(t.actor == superuser and t.remote_addr == "127.0.0.1" for t in transitions)

    article.slug = "a-new-slug"
    article.save()  # a published article's old slug goes to its history (articles/receivers.py)
    from articles.models import ArticleSlugHistory

    (old_slug,) = LogEntry.objects.get_for_model(ArticleSlugHistory)
    assert old_slug.action == LogEntry.Action.CREATE
    assert old_slug.changes_dict["slug"][1] == "original-headline"


def test_behind_our_proxy_the_client_address_is_the_one_it_saw(client, settings, superuser):
    verified_login(client, superuser)
    forged = {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}

    settings.AUDIT_LOG_TRUSTED_PROXIES = 0  # no proxy: the header is the client's own, ignored
    client.post("/admin/tags/tag/add/", {"name": "One", "slug": "one", "kind": "topic"}, **forged)
    settings.AUDIT_LOG_TRUSTED_PROXIES = 1  # one proxy: it appended the address it saw
    client.post("/admin/tags/tag/add/", {"name": "Two", "slug": "two", "kind": "topic"}, **forged)
    client.post(
        "/admin/tags/tag/add/",
        {"name": "Three", "slug": "three", "kind": "topic"},
        HTTP_X_FORWARDED_FOR="junk",
    )

    addresses = [
        entries_for(Tag.objects.get(name=name)).get().remote_addr for name in ["One", "Two", "Three"]
    ]
    assert addresses == ["127.0.0.1", "203.0.113.9", None]  # not an address: none rather than a made-up one


def test_the_audit_log_admin_is_read_only_filtered_and_csp_clean(admin_client, django_assert_max_num_queries):
    for n in range(5):
        make_tag(f"Tag {n}")
    entry = LogEntry.objects.first()

    with django_assert_max_num_queries(12):
        listing = admin_client.get("/admin/auditlog/logentry/")
    assert listing.status_code == 200
    assert 'id="changelist-filter"' in listing.text
    nonce = re.search(r"'nonce-([^']+)'", listing["Content-Security-Policy"]).group(1)
    assert all(f'nonce="{nonce}"' in tag for tag in re.findall(r"<script\b[^>]*>", listing.text))
    assert admin_client.get("/admin/auditlog/logentry/?action__exact=0").status_code == 200

    detail = admin_client.get(f"/admin/auditlog/logentry/{entry.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.text
    assert admin_client.get("/admin/auditlog/logentry/add/").status_code == 403
    assert admin_client.post(f"/admin/auditlog/logentry/{entry.pk}/change/", {}).status_code == 403
    assert (
        admin_client.post(f"/admin/auditlog/logentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def aged_entries(*ages_in_days):
    for n, days in enumerate(ages_in_days):
        tag = make_tag(f"Aged {n}")
        LogEntry.objects.get_for_object(tag).update(timestamp=timezone.now() - datetime.timedelta(days=days))


def test_prune_audit_log_deletes_what_is_older_than_the_retention(capsys, settings, db):
    aged_entries(400, 200, 1)

    call_command("prune_audit_log", "--older-than", "300", "--dry-run")
    assert "Would delete 1 audit log entries" in capsys.readouterr().out
    assert LogEntry.objects.count() == 3

    call_command("prune_audit_log", "--older-than", "300")
    assert "Deleted 1 audit log entries" in capsys.readouterr().out
    assert LogEntry.objects.count() == 2

    settings.AUDIT_LOG_RETENTION_DAYS = 100  # the default comes from AUDIT_LOG_RETENTION_DAYS
    call_command("prune_audit_log")
    assert LogEntry.objects.count() == 1


@pytest.mark.parametrize("days", ["0", "-5", "soon"])
def test_prune_audit_log_refuses_a_bad_age(days, db):
    with pytest.raises(CommandError, match="older-than"):
        call_command("prune_audit_log", "--older-than", days)


def test_images_uploaded_edited_and_deleted_in_the_admin_are_logged(
    admin_client, superuser, settings, tmp_path
):
    from images.models import Image
    from tests.images.conftest import encode, photo, upload

    settings.MEDIA_ROOT = tmp_path
    added = admin_client.post(
        "/admin/images/image/add/",
        {"file": upload(encode(photo((300, 200)), "JPEG")), "alt_text": "A harbour"},
    )
    assert added.status_code == 302
    image = Image.objects.get()
    edit = admin_client.get(f"/admin/images/image/{image.pk}/change/")
    admin_client.post(
        f"/admin/images/image/{image.pk}/change/", admin_form_data(edit, alt_text="The harbour")
    )
    admin_client.post(f"/admin/images/image/{image.pk}/delete/", {"post": "yes"})

    actions = [(entry.action, entry.actor) for entry in entries_for(image)]
    assert actions[0] == (LogEntry.Action.CREATE, superuser)
    assert (LogEntry.Action.UPDATE, superuser) in actions
    assert actions[-1] == (LogEntry.Action.DELETE, superuser)
    assert any(
        entry.changes_dict.get("alt_text") == ["A harbour", "The harbour"] for entry in entries_for(image)
    )


def test_permissions_created_and_deleted_outside_a_request_are_logged_without_an_actor(db):
    from django.contrib.contenttypes.models import ContentType

    permission = Permission.objects.create(
        codename="embargo_article",
        name="Can embargo",
        content_type=ContentType.objects.get_for_model(Section),
    )
    pk = permission.pk
    permission.delete()

    created, deleted = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Permission), object_pk=str(pk)
    ).order_by("timestamp", "pk")
    assert [created.action, deleted.action] == [LogEntry.Action.CREATE, LogEntry.Action.DELETE]
    assert created.actor is None and created.remote_addr is None
    assert created.changes_dict["codename"] == ["None", "embargo_article"]
