"""The webhook pages as an Editors member: endpoints with a write-only secret, deliveries, "deliver again",
the switched-off notice; every write through the services."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog import services
from catalog.models import WebhookDelivery, WebhookEndpoint
from tests.factories import CourseFactory, tree
from tests.helpers.admin import messages_of
from tests.helpers.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db

ENDPOINTS = reverse("admin:catalog_webhookendpoint_changelist")
ADD = reverse("admin:catalog_webhookendpoint_add")
DELIVERIES = reverse("admin:catalog_webhookdelivery_changelist")
SECRET = "the-receivers-shared-secret"


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOKS_TIMEOUT = 1.0
    settings.WEBHOOKS_SENDER = "off"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def receiver():
    with Receiver(secret=SECRET) as r:
        yield r


def change_url(endpoint):
    return reverse("admin:catalog_webhookendpoint_change", args=[endpoint.pk])


class TestEndpoints:
    def test_an_editor_adds_an_endpoint_and_never_sees_its_secret_again(self, admin_client):
        response = admin_client.post(ADD, {"url": "http://127.0.0.1:9/hook", "secret": SECRET, "active": "on"})
        assert response.status_code == 302
        endpoint = WebhookEndpoint.objects.get()
        assert (endpoint.url, endpoint.secret, endpoint.active) == ("http://127.0.0.1:9/hook", SECRET, True)
        page = admin_client.get(change_url(endpoint))
        assert page.status_code == 200 and SECRET.encode() not in page.content
        assert b'type="password"' in page.content

    def test_an_empty_secret_makes_one_shown_once(self, admin_client):
        response = admin_client.post(ADD, {"url": "http://127.0.0.1:9/hook", "secret": "", "active": "on"})
        endpoint = WebhookEndpoint.objects.get()
        assert len(endpoint.secret) >= 32
        assert any(endpoint.secret in m and "not shown again" in m for m in messages_of(response))

    def test_saving_with_an_empty_secret_keeps_it_and_switching_on_clears_the_failures(self, admin_client):
        endpoint = services.endpoint_add(url="http://127.0.0.1:9/hook", secret=SECRET, active=False)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            failures=10, switched_off_at=timezone.now(), switched_off_reason="Switched off after 10 failed attempts"
        )
        response = admin_client.post(change_url(endpoint), {"url": endpoint.url, "secret": "", "active": "on"})
        assert response.status_code == 302
        endpoint.refresh_from_db()
        assert (endpoint.secret, endpoint.active) == (SECRET, True)
        assert (endpoint.failures, endpoint.switched_off_at) == (0, None)

    @pytest.mark.parametrize(
        "url, secret, error",
        [
            ("ftp://example.org/hook", SECRET, b"Use an http:// or https:// URL"),
            ("not a url", SECRET, b"Enter a valid URL"),
            ("https://user:pw@example.org/hook", SECRET, b"Leave credentials out of the URL"),
            ("http://127.0.0.1:9/hook", "short", b"at least 16 characters"),
        ],
    )
    def test_bad_input_is_a_form_error_and_adds_nothing(self, admin_client, url, secret, error):
        response = admin_client.post(ADD, {"url": url, "secret": secret, "active": "on"})
        assert response.status_code == 200 and error in response.content
        assert not WebhookEndpoint.objects.exists()

    def test_a_private_address_is_refused_without_the_setting(self, admin_client, settings):
        settings.WEBHOOKS_ALLOW_PRIVATE = False
        response = admin_client.post(ADD, {"url": "http://192.168.1.20/hook", "secret": SECRET, "active": "on"})
        assert response.status_code == 200 and b"non-public address" in response.content
        assert not WebhookEndpoint.objects.exists()

    def test_deleting_goes_through_the_service(self, admin_client):
        endpoint = services.endpoint_add(url="http://127.0.0.1:9/hook", secret=SECRET)
        url = reverse("admin:catalog_webhookendpoint_delete", args=[endpoint.pk])
        assert admin_client.post(url, {"post": "yes"}).status_code == 302
        assert not WebhookEndpoint.objects.exists()

    def test_the_list_shows_state_and_pending_deliveries(self, admin_client):
        services.endpoint_add(url="http://127.0.0.1:9/hook", secret=SECRET)
        CourseFactory(slug="a", status="published", units=tree(1))
        page = admin_client.get(ENDPOINTS)
        assert page.status_code == 200
        assert b"http://127.0.0.1:9/hook" in page.content and b"endpoint__id__exact" in page.content

    def test_learners_and_staff_outside_editors_cannot_see_them(self, client, django_user_model):
        user = django_user_model.objects.create_user("staff", password="pw-staff-1", is_staff=True)
        client.force_login(user)
        assert client.get(ENDPOINTS).status_code == 403
        assert client.get(DELIVERIES).status_code == 403


class TestSwitchedOffNotice:
    def test_editors_see_it_on_the_index_and_the_webhook_pages(self, admin_client):
        endpoint = services.endpoint_add(url="http://127.0.0.1:9/hook", secret=SECRET)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            active=False,
            switched_off_at=timezone.now(),
            switched_off_reason="Switched off after 10 failed attempts in a row (the last: answered 500).",
        )
        for url in (reverse("admin:index"), ENDPOINTS, DELIVERIES):
            notices = [m for m in messages_of(admin_client.get(url)) if "was switched off" in m]
            assert len(notices) == 1 and "http://127.0.0.1:9/hook" in notices[0] and "answered 500" in notices[0]

    def test_no_notice_for_an_endpoint_switched_off_by_hand(self, admin_client):
        services.endpoint_add(url="http://127.0.0.1:9/hook", secret=SECRET, active=False)
        assert not [m for m in messages_of(admin_client.get(reverse("admin:index"))) if "switched off" in m]


class TestDeliveries:
    def test_the_list_shows_status_answer_code_time_and_excerpt(self, admin_client, receiver):
        receiver.answer = lambda request: 503
        services.endpoint_add(url=receiver.url, secret=SECRET)
        CourseFactory(slug="a", status="published", units=tree(1))
        services.deliveries_send_due()
        page = admin_client.get(DELIVERIES).content.decode()
        assert "Failed, will retry" in page and "503" in page and "answered 503" in page
        filtered = admin_client.get(DELIVERIES, {"status__exact": "sent"}).content.decode()
        assert "answered 503" not in filtered
        delivery = WebhookDelivery.objects.get()
        detail = admin_client.get(reverse("admin:catalog_webhookdelivery_change", args=[delivery.pk]))
        assert detail.status_code == 200 and b"receiver says 503" in detail.content
        assert admin_client.get(reverse("admin:catalog_webhookdelivery_add")).status_code == 403

    def test_deliver_again_sends_it_again_with_the_same_id(self, admin_client, receiver):
        endpoint = services.endpoint_add(url=receiver.url, secret=SECRET)
        CourseFactory(slug="a", status="published", units=tree(1))
        services.deliveries_send_due()
        delivery = WebhookDelivery.objects.get()
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status="gave_up", created_at=timezone.now() - dt.timedelta(days=2)
        )
        response = admin_client.post(
            DELIVERIES, {"action": "deliver_again", "_selected_action": [delivery.pk]}, follow=True
        )
        assert "1 delivery will be sent again now." in messages_of(response)
        assert WebhookDelivery.objects.get().status == "pending"
        assert services.deliveries_send_due() == 1
        assert [r.delivery for r in receiver.received] == [str(delivery.entry_id)] * 2
        # Not while the endpoint is switched off: that is refused, saying why.
        services.endpoint_update(endpoint=endpoint, active=False)
        response = admin_client.post(
            DELIVERIES, {"action": "deliver_again", "_selected_action": [delivery.pk]}, follow=True
        )
        assert any("switched off" in m for m in messages_of(response))
