import ipaddress

from django.conf import settings


def client_address(request):
    """
    The client's IP address, for the audit log and login throttling: REMOTE_ADDR, or from X-Forwarded-For
    only as far as our own proxies wrote it. AUDIT_LOG_TRUSTED_PROXIES is how many there are in front of
    the app (0: none, the header is the client's own and ignored). The last N entries are what they
    appended, so the Nth from the right is the client they saw; anything left of it is client-supplied.
    """
    address = request.META.get("REMOTE_ADDR")
    proxies = settings.AUDIT_LOG_TRUSTED_PROXIES
    forwarded = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    if proxies and forwarded:
        address = forwarded[-min(proxies, len(forwarded))]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None  # not an address (a port, a name): better no address than a forged one
