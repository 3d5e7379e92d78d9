"""
Login throttling with django-axes (settings AXES_*, docs/security.md): a username tried from one address
AXES_FAILURE_LIMIT times without success is locked out there for AXES_COOLOFF minutes.

Two additions to axes's database handler. A wrong two-factor code counts as a failed login of that
username (accounts.views.verify reports it), so the code step is throttled like the password. And for a
user who still has to pass the code step, the password alone does not clear the count: otherwise whoever
holds the password could log in again after every few wrong codes and try codes for ever. The count is
cleared when the code step passes.
"""

import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.template.response import TemplateResponse
from django.utils import timezone

from accounts import two_factor


class LockoutHandler(AxesDatabaseHandler):
    def user_logged_in(self, sender, request, user, **kwargs):
        request.axes_reset_deferred = two_factor.is_required_for(user) and two_factor.has_device(user)
        super().user_logged_in(sender, request, user, **kwargs)

    def reset_user_attempts(self, request, credentials=None):
        if getattr(request, "axes_reset_deferred", False):
            return 0
        return super().reset_user_attempts(request, credentials)


def _credentials(user):
    return {str(settings.AXES_USERNAME_FORM_FIELD): user.get_username()}


def is_locked_out(request, user):
    return not AxesProxyHandler.is_allowed(request, _credentials(user))


def code_failed(request, user):
    """Count a wrong two-factor code as a failed login; True when it locks the user out."""
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
    return bool(getattr(request, "axes_locked_out", False))


def code_passed(request, user):
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.get_implementation().reset_user_attempts(request, _credentials(user))


def lock_out(request, user):
    """End the half-logged-in session of a locked-out user and show the lockout page."""
    credentials = _credentials(user)
    logout(request)
    return lockout_response(request, None, credentials)


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out login gets (AXES_LOCKOUT_CALLABLE): 429, when to retry, whom to ask."""
    cooloff = settings.AXES_COOLOFF_TIME
    # Rounded up to the minute shown: trying at that minute must work.
    retry_at = timezone.localtime(timezone.now() + cooloff + datetime.timedelta(minutes=1))
    retry_at = retry_at.replace(second=0, microsecond=0)
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cooloff / datetime.timedelta(minutes=1)),
        "retry_at": retry_at,
        "contact": settings.LOCKOUT_CONTACT,
    }
    response = TemplateResponse(request, "accounts/lockout.html", context, status=429)
    response["Retry-After"] = str(int(cooloff.total_seconds()))
    response["Cache-Control"] = "no-store"
    return response.render()
