import time

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from accounts import sessions, two_factor
from accounts.client import client_address
from accounts.views import redirect_to
from newsroom.readers import may_be_logged_in

OPEN_VIEWS = ["admin:login", "admin:logout", "two_factor:enrol", "two_factor:verify"]


class TwoFactorRequiredMiddleware:
    """
    Every /admin/ URL (the desk's custom views, previews' creation and the audit log included), and every
    URL under settings.OTP_GUARDED_PATH_PREFIXES (/api/ by default, for session-authenticated calls), needs a
    verified session from a user who must use two-factor (accounts.two_factor.is_required_for): without a
    device they are sent to enrolment, with one to the code step. Only the two-factor pages themselves,
    login and logout are open to them. Install after django_otp's OTPMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._guarded(request.path) and not request.user.is_verified():
            if two_factor.is_required_for(request.user):
                step = "two_factor:verify" if two_factor.has_device(request.user) else "two_factor:enrol"
                return redirect_to(step, request.get_full_path())
        return self.get_response(request)

    @staticmethod
    def _guarded(path):
        prefixes = (reverse("admin:index"), *settings.OTP_GUARDED_PATH_PREFIXES)
        open_paths = {reverse(name) for name in OPEN_VIEWS}
        return path.startswith(prefixes) and path not in open_paths


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware (actor and address of each change), with our client address (above)."""

    @staticmethod
    def _get_remote_addr(request):
        return client_address(request)


class StaffSessionIdleMiddleware:
    """
    Logs a staff user out after STAFF_SESSION_IDLE_MINUTES without a request, with a message on the login
    page. The time of the last request is kept in the session (accounts.sessions.LAST_ACTIVITY, set at
    login), rewritten at most once a minute: a session write on every request would cost every admin page
    a query. Sessions without it (readers, who have none; staff logged in before this existed) are left
    alone until their next login.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Readers have no session cookie: touching their (empty) session would add "Vary: Cookie".
        last_activity = request.session.get(sessions.LAST_ACTIVITY) if may_be_logged_in(request) else None
        if last_activity is not None:
            now = int(time.time())
            if now - last_activity > settings.STAFF_SESSION_IDLE_MINUTES * 60:
                logout(request)
                messages.info(
                    request,
                    f"You were logged out after {settings.STAFF_SESSION_IDLE_MINUTES} minutes without "
                    "activity. Please log in again.",
                )
                if request.path.startswith(reverse("admin:index")):
                    return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            elif now - last_activity >= sessions.ACTIVITY_RESOLUTION:
                request.session[sessions.LAST_ACTIVITY] = now
        return self.get_response(request)
