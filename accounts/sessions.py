"""
Staff sessions: what is recorded at login (time of the last request, address, browser), ending every
other session of a user whose password changes, and listing or revoking a user's sessions
(`manage.py sessions`).

Sessions are found by the user id stored in them, which needs sessions kept in the database
(SESSION_ENGINE db, the default, or cached_db). A cache-only or cookie engine keeps no list of them to
search: the functions below refuse it with a clear error rather than report nothing.
"""

import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from accounts.client import client_address

LAST_ACTIVITY = "_staff_last_activity"  # seconds since the epoch, set by StaffSessionIdleMiddleware
ACTIVITY_RESOLUTION = 60  # the last activity is rewritten at most this often (seconds)
LOGIN_ADDRESS = "_login_address"
LOGIN_USER_AGENT = "_login_user_agent"
SEARCHABLE_ENGINES = {"django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"}


def record_login(sender, request, user, **kwargs):
    """user_logged_in: where the session comes from, and (staff) its first activity."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[LOGIN_ADDRESS] = client_address(request) or ""
    request.session[LOGIN_USER_AGENT] = request.headers.get("User-Agent", "")[:200]
    if user.is_staff:
        request.session[LAST_ACTIVITY] = int(time.time())


def _require_searchable_engine():
    if settings.SESSION_ENGINE not in SEARCHABLE_ENGINES:
        raise ImproperlyConfigured(
            f"SESSION_ENGINE {settings.SESSION_ENGINE!r} keeps no list of sessions to search: a user's "
            f"sessions can only be found with one of {sorted(SEARCHABLE_ENGINES)}."
        )


def sessions_of(user):
    """The user's unexpired sessions: (session key, decoded data, expiry), soonest expiry first."""
    _require_searchable_engine()
    found = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).order_by("expire_date"):
        data = session.get_decoded()
        if data.get(SESSION_KEY) == str(user.pk):
            found.append((session.session_key, data, session.expire_date))
    return found


def revoke_sessions(user, keep=None):
    """Delete every session of the user but `keep` (a session key); returns how many."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = [key for key, _data, _expiry in sessions_of(user) if key != keep]
    for key in keys:
        store(session_key=key).delete()  # through the store: cached_db forgets its cached copy too
    return len(keys)


class EndOtherSessionsOnPasswordChange:
    """
    Not a rule about passwords: Django tells every entry of AUTH_PASSWORD_VALIDATORS when a user's password
    has changed (User.save() after set_password), wherever it changed: the admin's own password page, a
    superuser's change of someone else's, `changepassword`. That is the moment to end the user's sessions.
    Every one is deleted here, the current one too; the password views then save the current session
    again under a new key (update_session_auth_hash), so only the others end.
    """

    def validate(self, password, user=None):
        return None

    def password_changed(self, password, user=None):
        if user is not None and user.pk is not None and settings.SESSION_ENGINE in SEARCHABLE_ENGINES:
            revoke_sessions(user)

    def get_help_text(self):
        return "Changing your password logs you out everywhere else."
