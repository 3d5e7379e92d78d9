import ipaddress

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.urls import reverse

from accounts import two_factor
from accounts.views import redirect_to

OPEN_VIEWS = ["admin:login", "admin:logout", "two_factor:enrol", "two_factor:verify"]


class TwoFactorRequiredMiddleware:
    """
    Every /admin/ URL (the desk's custom views, previews' creation and the audit log included) needs a
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
        admin = reverse("admin:index")
        open_paths = {reverse(name) for name in OPEN_VIEWS}
        return path.startswith(admin) and path not in open_paths


class AuditMiddleware(AuditlogMiddleware):
    """
    auditlog's middleware (actor and address of each change), with the client address taken from
    X-Forwarded-For only as far as our own proxies wrote it: AUDIT_LOG_TRUSTED_PROXIES is how many there are
    in front of the app (0: none, the header is the client's own and ignored). The last N entries are what
    they appended, so the Nth from the right is the client they saw; anything left of it is client-supplied.
    """

    @staticmethod
    def _get_remote_addr(request):
        address = request.META.get("REMOTE_ADDR")
        proxies = settings.AUDIT_LOG_TRUSTED_PROXIES
        forwarded = [
            hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()
        ]
        if proxies and forwarded:
            address = forwarded[-min(proxies, len(forwarded))]
        try:
            return str(ipaddress.ip_address(address))
        except ValueError:
            return None  # not an address (a port, a name): better no address than a forged one
