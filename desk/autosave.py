"""
Autosave and presence for the article form (docs/editors.md, "Autosave and presence").

While the change form has unsaved changes, desk/static autosave.js posts the whole form here every
ARTICLE_AUTOSAVE_SECONDS and when a field loses focus; otherwise it sends a heartbeat. Either way the reply
says who else has the article open and at which version it is now, so a reporter learns of a colleague's
save before pressing Save. Nothing here touches the article: the autosave is a separate row per person,
restored into the form on request and deleted by the next real save.

The add form autosaves too, before any article exists: keyed by the person and a random token the add page
puts in its form (`draft_token`), kept as a NewArticleAutosave and offered on the next visit to the add
form. No article row is made until the first real save (docs/desk.md says why).
"""

import datetime
import uuid

from django import forms
from django.conf import settings
from django.utils import timezone

from desk.models import Autosave, NewArticleAutosave, Presence

# Buttons and the CSRF token are not part of what was typed.
NOT_AUTOSAVED = {"csrfmiddlewaretoken", "_save", "_continue", "_addanother", "_publish_update", "draft_token"}


def keep(article, user, post, now=None) -> Autosave:
    """Keep `post` (the article form as the browser has it) as `user`'s autosave of `article`."""
    try:
        based_on = int(post.get("loaded_version", ""))
    except ValueError:  # a form without the hidden version field: it was loaded at the current one
        based_on = article.version
    record, _ = Autosave.objects.update_or_create(
        article=article,
        user=user,
        defaults={
            "data": {name: post.getlist(name) for name in post if name not in NOT_AUTOSAVED},
            "based_on_version": based_on,
            "saved_at": now or timezone.now(),
        },
    )
    return record


def latest_autosave(article, user):
    return Autosave.objects.filter(article=article, user=user).first()


def discard(article, user):
    Autosave.objects.filter(article=article, user=user).delete()


def draft_token(value):
    """The add form's token as posted, or None if it is missing or no UUID (nothing is kept then)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def keep_new(user, token, post, now=None) -> NewArticleAutosave:
    """Keep `post` (the add form) as `user`'s autosave of the new article their form `token` is writing."""
    record, _ = NewArticleAutosave.objects.update_or_create(
        user=user,
        token=token,
        defaults={
            "data": {name: post.getlist(name) for name in post if name not in NOT_AUTOSAVED},
            "saved_at": now or timezone.now(),
        },
    )
    return record


def latest_new_autosave(user, token=None):
    """`user`'s newest autosave of a new article (that of form `token` if given), or None."""
    records = NewArticleAutosave.objects.filter(user=user)
    return (records.filter(token=token) if token else records).first()


def discard_new(user, token):
    if token:
        NewArticleAutosave.objects.filter(user=user, token=token).delete()


def form_initial(record, form) -> dict:
    """The autosaved values of `form`'s fields, as its `initial` (an unchecked checkbox is not posted)."""
    initial = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        if isinstance(field, forms.BooleanField):
            initial[name] = key in record.data
        elif key in record.data:
            values = record.data[key]
            initial[name] = values if getattr(field.widget, "allow_multiple_selected", False) else values[-1]
    return initial


def inline_rows(record, prefix, fields) -> list[dict]:
    """The rows of an inline formset (`prefix`-N-field) as posted: "id" set for existing rows, "DELETE"."""
    try:
        total = min(int(record.value(f"{prefix}-TOTAL_FORMS") or 0), 1000)
    except ValueError:
        return []
    rows = []
    for index in range(total):
        row = {field: record.value(f"{prefix}-{index}-{field}") or "" for field in ("id", *fields)}
        row["DELETE"] = record.value(f"{prefix}-{index}-DELETE") is not None
        if row["id"] or any(row[field] for field in fields):
            rows.append(row)
    return rows


def heartbeat(article, user, now=None) -> Presence:
    """`user` has the article's form open now; an open that went stale counts as a new one."""
    now = now or timezone.now()
    presence, created = Presence.objects.get_or_create(
        article=article, user=user, defaults={"opened_at": now, "last_seen": now}
    )
    if not created:
        if presence.last_seen < now - datetime.timedelta(seconds=settings.ARTICLE_PRESENCE_TIMEOUT):
            presence.opened_at = now
        presence.last_seen = now
        presence.save(update_fields=["opened_at", "last_seen"])
    return presence


def leave(article, user):
    Presence.objects.filter(article=article, user=user).delete()


def others_present(article, user, now=None) -> list[dict]:
    """Everyone else whose form of this article sent a heartbeat recently, first opener first."""
    presences = (
        Presence.objects.current(now)
        .filter(article=article)
        .exclude(user=user)
        .select_related("user")
        .order_by("opened_at")
    )
    return [
        {"name": p.user.get_full_name() or p.user.get_username(), "since": p.opened_at} for p in presences
    ]


def status(article, user, *, saved_at=None, now=None) -> dict:
    """The JSON reply to the form: what was kept, who else is there, the article's current version."""
    return {
        "saved_at": saved_at.isoformat() if saved_at else None,
        "version": article.version,
        "others": [
            {"name": other["name"], "since": other["since"].isoformat()}
            for other in others_present(article, user, now)
        ],
    }
