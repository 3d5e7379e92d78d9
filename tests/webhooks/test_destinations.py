"""
The SSRF guard: endpoints only on public http(s) addresses, checked when saved in the admin and again at
each delivery (connecting to the address that was checked); WEBHOOKS_ALLOW_PRIVATE_NETWORKS lifts it.
"""

import socket

import pytest

from webhooks.destinations import address_kind
from webhooks.models import Delivery, Endpoint, Event
from webhooks.tasks import enqueue_delivery, post

pytestmark = pytest.mark.django_db
ENDPOINTS = "/admin/webhooks/endpoint/"
PUBLIC_IP = "93.184.215.14"  # example.com's; a literal, so no DNS is needed


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped IPv6
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
        (PUBLIC_IP, None),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", None),
    ],
)
def test_address_kinds(address, kind):
    assert address_kind(address) == kind


def add_endpoint(client, url):
    return client.post(
        f"{ENDPOINTS}add/", {"name": "Partner", "url": url, "events": ["published"], "active": "on"}
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8000/hook", "Refused: 127.0.0.1 is a loopback address."),
        ("http://localhost:8000/hook", "Refused: localhost resolves to"),
        ("http://[::1]/hook", "Refused: ::1 is a loopback address."),
        ("http://10.0.0.5/hook", "Refused: 10.0.0.5 is a private address."),
        ("http://169.254.169.254/latest/meta-data/", "Refused: 169.254.169.254 is a link-local address."),
        ("http://224.0.0.1/", "Refused: 224.0.0.1 is a multicast address."),
        ("http://240.0.0.1/", "Refused: 240.0.0.1 is a reserved address."),
        ("https://no-such-host.invalid/hook", "The host no-such-host.invalid does not resolve"),
    ],
)
def test_the_admin_refuses_a_non_public_endpoint_with_the_reason_and_saves_nothing(admin_client, url, reason):
    response = add_endpoint(admin_client, url)
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["url"]
    assert error.startswith(reason), error
    assert reason in response.text
    assert not Endpoint.objects.exists()


def test_the_admin_accepts_a_public_address_and_private_ones_when_allowed(admin_client, settings):
    assert add_endpoint(admin_client, f"https://{PUBLIC_IP}/hook").status_code == 302
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    assert add_endpoint(admin_client, "http://10.0.0.5/hook").status_code == 302
    assert sorted(Endpoint.objects.values_list("url", flat=True)) == [
        "http://10.0.0.5/hook",
        f"https://{PUBLIC_IP}/hook",
    ]


def deliver_ping(endpoint, capture, deliver_all):
    with capture(execute=True):
        enqueue_delivery(
            Delivery.objects.create(endpoint=endpoint, event=Event.PING, payload={"event": "ping"})
        )
    deliver_all()
    return Delivery.objects.get()


def test_a_delivery_to_a_private_address_is_refused_at_delivery_time_with_the_reason(
    receiver, settings, fast_retries, django_capture_on_commit_callbacks, deliver_all
):
    # Saved while allowed (or its DNS changed since): the delivery checks again.
    endpoint = Endpoint.objects.create(name="Intranet", url=receiver.url, events=["published"])
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    delivery = deliver_ping(endpoint, django_capture_on_commit_callbacks, deliver_all)
    assert receiver.received == []
    assert delivery.status == Delivery.Status.DEAD
    assert delivery.response_code is None
    assert "Refused: 127.0.0.1 is a loopback address." in delivery.error
    assert all("loopback" in attempt["error"] for attempt in delivery.attempt_log)


def test_a_host_name_resolving_to_loopback_is_refused_at_delivery_time(
    receiver, settings, fast_retries, django_capture_on_commit_callbacks, deliver_all
):
    url = receiver.url.replace("127.0.0.1", "localhost")
    endpoint = Endpoint.objects.create(name="Intranet", url=url, events=["published"])
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    delivery = deliver_ping(endpoint, django_capture_on_commit_callbacks, deliver_all)
    assert receiver.received == []
    assert "Refused: localhost resolves to" in delivery.error
    assert "loopback address" in delivery.error


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "data:,hello"])
def test_a_non_http_url_is_never_opened(url):
    # Only a row written around the admin's validation could hold one; the delivery refuses it anyway.
    endpoint = Endpoint.objects.create(name="Odd", url=url, events=["published"])
    delivery = Delivery.objects.create(endpoint=endpoint, event=Event.PING, payload={"event": "ping"})
    code, excerpt, error, _ = post(delivery)
    assert (code, excerpt) == (None, "")
    assert "Only http:// and https:// URLs are allowed" in error


def test_the_delivery_connects_to_the_address_it_checked_not_to_a_second_lookup(
    receiver, settings, monkeypatch
):
    """
    DNS rebinding: a name that answers a public address first and 127.0.0.1 afterwards. The delivery
    looks the name up once, checks that answer and connects to it; a second lookup would reach the
    receiver on 127.0.0.1.
    """
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    port = int(receiver.url.split(":")[2].split("/")[0])
    real_getaddrinfo = socket.getaddrinfo
    lookups = []

    def rebinding(host, *args, **kwargs):
        if host != "rebinding.test":
            return real_getaddrinfo(host, *args, **kwargs)
        lookups.append(host)
        address = PUBLIC_IP if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    endpoint = Endpoint.objects.create(name="Rebind", url=f"http://rebinding.test:{port}/hook", events=["x"])
    delivery = Delivery.objects.create(endpoint=endpoint, event=Event.PING, payload={"event": "ping"})
    code, _, error, _ = post(delivery)
    assert lookups == ["rebinding.test"]
    assert code is None and error  # the public address is not there (or not reachable) from the test
    assert receiver.received == []
