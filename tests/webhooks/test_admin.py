"""Webhooks in the admin: endpoints (validation, secret, status, ping, re-enable) and the delivery log."""

import json

import pytest

from tests.shared_fixtures import make_user
from webhooks.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db
ENDPOINTS = "/admin/webhooks/endpoint/"
DELIVERIES = "/admin/webhooks/delivery/"
# A public address (example.com's), so the SSRF guard accepts it without a DNS lookup; nothing is sent to it.
PUBLIC_URL = "https://93.184.215.14/hook"


def sent_delivery(endpoint, *, status=Delivery.Status.SUCCEEDED, code=200, article_id=7):
    return Delivery.objects.create(
        endpoint=endpoint,
        event=Event.PUBLISHED,
        article_id=article_id,
        payload={"event": "published", "article": {"id": article_id, "headline": "Bridge reopens"}},
        status=status,
        attempts=1,
        response_code=code,
        response_body=f"receiver said {code}",
    )


def test_adding_an_endpoint_generates_a_secret_shown_on_its_page(admin_client):
    response = admin_client.post(
        f"{ENDPOINTS}add/",
        {
            "name": "Partner",
            "url": PUBLIC_URL,
            "events": ["published", "deleted"],
            "active": "on",
        },
    )
    assert response.status_code == 302, response.text[:1000]
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["published", "deleted"]
    assert endpoint.active
    assert len(endpoint.secret) == 64

    page = admin_client.get(f"{ENDPOINTS}{endpoint.pk}/change/")
    assert endpoint.secret in page.text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"url": "ftp://partner.example.com/hook"}, "url", "Enter a valid URL."),
        ({"url": "javascript:alert(1)"}, "url", "Enter a valid URL."),
        ({"events": []}, "events", "This field is required."),
        ({"events": ["ping"]}, "events", "Select a valid choice. ping is not one of the available choices."),
    ],
)
def test_an_invalid_endpoint_is_refused_with_the_field_error_and_nothing_saved(
    admin_client, data, field, message
):
    form = {"name": "Partner", "url": PUBLIC_URL, "events": ["published"], **data}
    response = admin_client.post(f"{ENDPOINTS}add/", form)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]
    assert not Endpoint.objects.exists()


def test_the_endpoint_list_shows_status_last_delivery_and_failures_in_fixed_queries(
    admin_client, django_assert_max_num_queries
):
    for n in range(8):
        endpoint = Endpoint.objects.create(
            name=f"Partner {n}", url=f"https://p{n}.example.com/", events=["published"]
        )
        sent_delivery(endpoint, code=200 + n)
    Endpoint.objects.filter(name="Partner 3").update(
        active=False, consecutive_failures=5, disabled_reason="Disabled automatically after 5 dead deliveries"
    )

    with django_assert_max_num_queries(8):
        response = admin_client.get(ENDPOINTS)

    assert response.status_code == 200
    html = response.text
    assert html.count("Succeeded, HTTP 20") == 8
    assert "Succeeded, HTTP 207" in html
    assert "Disabled automatically after 5 dead deliveries" in html
    assert html.count("Active") >= 7


def test_the_delivery_log_lists_and_filters_in_fixed_queries(admin_client, django_assert_max_num_queries):
    endpoints = [
        Endpoint.objects.create(name=f"Partner {n}", url=f"https://p{n}.example.com/", events=["published"])
        for n in range(3)
    ]
    for n in range(12):
        dead = n % 4 == 0
        status = Delivery.Status.DEAD if dead else Delivery.Status.SUCCEEDED
        sent_delivery(endpoints[n % 3], status=status, code=500 if dead else 200, article_id=100 + n)

    with django_assert_max_num_queries(10):
        response = admin_client.get(DELIVERIES)
    assert response.status_code == 200
    assert response.text.count("Partner 1") >= 4
    assert "receiver said" not in response.text  # the excerpt is on the detail page

    with django_assert_max_num_queries(10):
        dead = admin_client.get(DELIVERIES, {"status": "dead", "endpoint__id__exact": endpoints[0].pk})
    assert dead.status_code == 200
    assert list(dead.context["cl"].result_list) == list(
        Delivery.objects.filter(status="dead", endpoint=endpoints[0])
    )
    # Dead: stories 100, 104 and 108, one to each endpoint.
    assert [d.article_id for d in dead.context["cl"].result_list] == [100]
    by_event = admin_client.get(DELIVERIES, {"event": "deleted"})
    assert len(by_event.context["cl"].result_list) == 0


def test_the_delivery_detail_shows_payload_response_and_is_read_only(admin_client):
    endpoint = Endpoint.objects.create(name="Partner", url="https://p.example.com/", events=["published"])
    delivery = sent_delivery(endpoint, status=Delivery.Status.DEAD, code=503)
    page = admin_client.get(f"{DELIVERIES}{delivery.pk}/change/")
    assert page.status_code == 200
    assert "Bridge reopens" in page.text
    assert "receiver said 503" in page.text
    assert 'name="_save"' not in page.text
    assert admin_client.get(f"{DELIVERIES}add/").status_code == 403
    post = admin_client.post(f"{DELIVERIES}{delivery.pk}/change/", {"status": "succeeded"})
    assert post.status_code == 403
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.DEAD


def test_redeliver_sends_the_same_payload_again(
    admin_client, receiver, django_capture_on_commit_callbacks, deliver_all
):
    endpoint = Endpoint.objects.create(name="Partner", url=receiver.url, events=["published"])
    original = sent_delivery(endpoint, status=Delivery.Status.DEAD, code=500)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            DELIVERIES, {"action": "redeliver_selected", "_selected_action": [original.pk]}, follow=True
        )
    assert "1 redelivery(ies) queued." in response.text
    deliver_all()

    copy = Delivery.objects.exclude(pk=original.pk).get()
    assert copy.redelivery_of == original
    assert copy.payload == original.payload
    assert copy.status == Delivery.Status.SUCCEEDED
    [request] = receiver.received
    assert json.loads(request.body) == original.payload
    assert request.headers["X-Newsroom-Delivery"] == str(copy.pk)
    assert Delivery.objects.get(pk=original.pk).status == Delivery.Status.DEAD  # the log keeps history


def test_redeliver_to_a_disabled_endpoint_is_refused_with_the_reason(admin_client):
    endpoint = Endpoint.objects.create(name="Partner", url="https://p.example.com/", events=["published"])
    original = sent_delivery(endpoint, status=Delivery.Status.DEAD, code=500)
    endpoint.active = False
    endpoint.save()
    response = admin_client.post(
        DELIVERIES, {"action": "redeliver_selected", "_selected_action": [original.pk]}, follow=True
    )
    assert "1 not redelivered: their endpoint is disabled (re-enable it first)." in response.text
    assert Delivery.objects.count() == 1


def test_redeliver_needs_the_right_to_change_endpoints(client):
    viewer = make_user("viewer")
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_delivery"))
    client.force_login(viewer)
    endpoint = Endpoint.objects.create(name="Partner", url="https://p.example.com/", events=["published"])
    original = sent_delivery(endpoint)
    page = client.get(DELIVERIES)
    assert page.status_code == 200
    assert "redeliver_selected" not in page.text
    client.post(DELIVERIES, {"action": "redeliver_selected", "_selected_action": [original.pk]})
    assert Delivery.objects.count() == 1


def test_test_ping_and_re_enable(admin_client, receiver, django_capture_on_commit_callbacks, deliver_all):
    endpoint = Endpoint.objects.create(
        name="Partner", url=receiver.url, events=["published"], active=False, consecutive_failures=5
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            ENDPOINTS, {"action": "send_test_ping", "_selected_action": [endpoint.pk]}, follow=True
        )
    assert "Partner is disabled: no ping sent." in response.text
    deliver_all()
    assert receiver.received == []

    response = admin_client.post(
        ENDPOINTS, {"action": "enable_selected", "_selected_action": [endpoint.pk]}, follow=True
    )
    assert "1 endpoint(s) re-enabled." in response.text
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.consecutive_failures, endpoint.disabled_reason) == (True, 0, "")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(ENDPOINTS, {"action": "send_test_ping", "_selected_action": [endpoint.pk]})
    deliver_all()
    [request] = receiver.received
    assert request.headers["X-Newsroom-Event"] == "ping"
    assert json.loads(request.body)["endpoint"] == {"id": endpoint.pk, "name": "Partner"}
    assert Delivery.objects.get().status == Delivery.Status.SUCCEEDED
