"""
Where webhooks may go (the SSRF guard): http(s) URLs whose host resolves to public addresses only.

An endpoint's URL is typed by a person in the admin, and the worker POSTs to it from inside our network,
so an unchecked URL could reach the database, the cache, a cloud metadata service (169.254.169.254) or an
intranet page. Every address the host resolves to is checked (one private address among public ones is
enough to refuse), at save time (Endpoint.clean) and again at each delivery, where the connection is made
to the very address that was checked (`connect_checked`), so DNS that changes between check and connect
(rebinding) cannot redirect it. settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS turns the address check off
(a receiver on the intranet, the tests' local receiver); the scheme check stays.
"""

import http.client
import ipaddress
import socket
import urllib.parse
import urllib.request

from django.conf import settings

SCHEMES = ("http", "https")


class UnsafeDestination(OSError):
    """A URL or address webhooks refuse to send to; the message says why (delivery log, admin form)."""


def address_kind(address):
    """Why `address` (an IP string) is not a public one — "loopback", "private", … — or None if it is."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 scope ("fe80::1%eth0")
    if ip.version == 6 and ip.ipv4_mapped is not None:  # ::ffff:127.0.0.1 is 127.0.0.1
        ip = ip.ipv4_mapped
    for kind, matches in (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("non-public", not ip.is_global),  # e.g. 100.64.0.0/10, shared by carriers' NAT
    ):
        if matches:
            return kind
    return None


def check_scheme(url):
    """Refuse anything but http:// and https:// (urllib would also open file:, ftp: and data: URLs)."""
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in SCHEMES:
        raise UnsafeDestination(f"Only http:// and https:// URLs are allowed, not “{scheme or url}”.")


def checked_addresses(host, port):
    """
    getaddrinfo() results for host:port, refused (UnsafeDestination) if the host does not resolve or if
    any of its addresses is not public, unless settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS.
    """
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as failure:
        raise UnsafeDestination(f"The host {host} does not resolve ({failure}).") from None
    if not settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS:
        for *_, sockaddr in found:
            kind = address_kind(sockaddr[0])
            if kind is not None:
                named = host if host == sockaddr[0] else f"{host} resolves to {sockaddr[0]}, which"
                raise UnsafeDestination(
                    f"Refused: {named} is a {kind} address. Webhooks go to public addresses only "
                    "(WEBHOOKS_ALLOW_PRIVATE_NETWORKS allows private networks)."
                )
    return found


def check_url(url):
    """Refuse `url` unless it is http(s) and its host resolves to public addresses only."""
    check_scheme(url)
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise UnsafeDestination(f"The URL's port is not a number: {url}") from None
    if not parts.hostname:
        raise UnsafeDestination(f"The URL has no host: {url}")
    checked_addresses(parts.hostname, port)


def connect_checked(address, timeout, source_address=None):
    """socket.create_connection, but to the checked addresses of the host only (no second lookup)."""
    host, port = address
    last_error = None
    for *_, sockaddr in checked_addresses(host, port):
        try:
            # An IP literal: create_connection looks nothing up again.
            return socket.create_connection((sockaddr[0], port), timeout, source_address)
        except OSError as error:
            last_error = error
    raise last_error


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = connect_checked


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    # TLS still verifies the certificate against the URL's host name (server_hostname=self.host).
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = connect_checked


class CheckedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_CheckedHTTPConnection, req)


class CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_CheckedHTTPSConnection, req, context=self._context)
