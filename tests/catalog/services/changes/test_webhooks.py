"""Webhooks against a real local receiver: the outbox, signatures, retries, order, claims, addresses, switch-off."""

import datetime as dt
import json
import random

import pytest
from django.db import transaction
from django.utils import timezone

from catalog import services
from catalog.errors import CatalogValidationError
from catalog.models import Course, FeedEntry, WebhookDelivery, WebhookEndpoint
from catalog.services.changes import webhooks
from tests.factories import CourseFactory, tree
from tests.helpers.webhook_receiver import Receiver, verify

pytestmark = pytest.mark.django_db

Status = WebhookDelivery.Status
PAYLOAD_KEYS = ["id", "kind", "slug", "release", "at", "course"]


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1
    settings.WEBHOOKS_TIMEOUT = 1.0
    settings.WEBHOOKS_SENDER = "off"  # these tests send by hand: a sweep is a plain function call
    settings.WEBHOOKS_FAILURE_LIMIT = 10


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def endpoint(receiver):
    return services.endpoint_add(url=receiver.url, secret=receiver.secret)


def publish(slug, **fields):
    return CourseFactory(slug=slug, status="published", units=tree(1), **fields)


def later(**delta):
    return timezone.now() + dt.timedelta(**delta)


def sweep(now=None):
    return services.deliveries_send_due(now=now)


def payload_kinds(receiver):
    return [(p["slug"], p["kind"]) for p in receiver.payloads()]


class TestOutbox:
    def test_each_change_makes_one_delivery_per_active_endpoint(self, endpoint):
        services.endpoint_add(url="http://127.0.0.1:9/other", secret="x" * 16)
        services.endpoint_add(url="http://127.0.0.1:9/off", secret="x" * 16, active=False)
        course = publish("a")
        entry = FeedEntry.objects.get(course_id=course.pk)
        deliveries = WebhookDelivery.objects.filter(entry_id=entry.pk)
        assert {d.endpoint.url for d in deliveries} == {"http://127.0.0.1:9/other", endpoint.url}
        payload = json.loads(deliveries[0].payload)
        assert list(payload) == PAYLOAD_KEYS
        assert (payload["id"], payload["kind"], payload["slug"], payload["release"]) == (entry.pk, "published", "a", 1)
        assert payload["course"] == json.loads(entry.summary)

    def test_a_rolled_back_write_sends_nothing(self, endpoint, receiver):
        course = CourseFactory(slug="a", units=tree(1))
        with pytest.raises(RuntimeError), transaction.atomic():
            services.course_publish(course=course)
            assert WebhookDelivery.objects.count() == 1  # written with the change...
            raise RuntimeError("the rest of the request failed")
        assert WebhookDelivery.objects.count() == 0  # ...and gone with it
        assert sweep(later(hours=1)) == 0
        assert receiver.received == []

    def test_changes_of_the_working_copy_only_send_nothing(self, endpoint):
        course = publish("a")
        services.course_update(course=course, title="Not yet live")
        assert WebhookDelivery.objects.count() == 1

    def test_every_way_of_leaving_is_sent_as_removed(self, endpoint, receiver):
        for slug in ("unpub", "arch", "gone", "renamed"):
            publish(slug)
        services.course_unpublish(course=Course.objects.get(slug="unpub"))
        services.course_archive(course=Course.objects.get(slug="arch"))
        services.course_delete(course=Course.objects.get(slug="gone"))
        services.course_update(course=Course.objects.get(slug="renamed"), slug="new-name")
        services.course_publish(course=Course.objects.get(slug="new-name"))  # the slug is part of the release
        assert sweep() == 9
        removed = {slug for slug, kind in payload_kinds(receiver) if kind == "removed"}
        assert removed == {"unpub", "arch", "gone", "renamed"}
        assert ("new-name", "published") in payload_kinds(receiver)
        assert all(p["course"] is None for p in receiver.payloads() if p["kind"] == "removed")


class TestSending:
    def test_signed_with_the_endpoints_secret_and_shaped_like_the_feed(self, endpoint, receiver, api):
        course = publish("a")
        assert sweep() == 1
        (request,) = receiver.received
        assert request.verified and request.path == "/hooks/catalog"
        headers = request.headers
        assert headers["Content-Type"] == "application/json"
        assert headers["User-Agent"].startswith("catalog-webhooks/")
        entry = FeedEntry.objects.get(course_id=course.pk)
        assert headers["X-Catalog-Delivery"] == str(entry.pk)
        timestamp, signature = (part.split("=", 1)[1] for part in headers["X-Catalog-Signature"].split(","))
        assert not verify("another secret, also long", headers["X-Catalog-Signature"], request.body)
        assert not verify(receiver.secret, headers["X-Catalog-Signature"], request.body + b" ")
        assert not verify(receiver.secret, headers["X-Catalog-Signature"], request.body, now=int(timestamp) + 301)
        assert len(signature) == 64
        # The body is the feed's entry (what a follower of /api/v1/changes/ reads) plus its id.
        (fed,) = api.get("/api/v1/changes/").json()["results"]
        assert request.json == {"id": entry.pk, **fed}
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts) == (Status.SENT, 1)
        assert (delivery.last_code, delivery.last_body) == (200, "ok")

    def test_a_500_is_retried_later_with_the_same_delivery_id(self, endpoint, receiver):
        answers = iter([500, 200])
        receiver.answer = lambda request: next(answers)
        publish("a")
        assert sweep() == 0
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_code) == (Status.FAILED, 1, 500)
        assert delivery.last_body == "receiver says 500" and delivery.last_error == "answered 500"
        wait = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
        assert 60 * 0.8 <= wait <= 60 * 1.2
        assert sweep() == 0  # not due yet (and the endpoint pauses too)
        assert sweep(later(minutes=2)) == 1
        first, second = receiver.received
        assert first.delivery == second.delivery == str(delivery.entry_id)
        assert first.body == second.body and second.verified
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_code) == (Status.SENT, 2, 200)

    def test_a_timeout_is_retried_later_with_the_same_delivery_id(self, endpoint, receiver):
        answers = iter([("sleep", 1.5), 200])
        receiver.answer = lambda request: next(answers)
        publish("a")
        assert sweep() == 0
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == Status.FAILED and "timed out" in delivery.last_error
        assert delivery.last_code is None
        assert sweep(later(minutes=2)) == 1
        assert [r.delivery for r in receiver.received] == [str(delivery.entry_id)] * 2

    def test_a_redirect_is_a_failure_not_followed(self, endpoint, receiver):
        receiver.answer = lambda request: 301
        publish("a")
        sweep()
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == Status.FAILED and "redirects are not followed" in delivery.last_error

    def test_an_endpoint_that_refuses_connections_is_a_failure(self, endpoint, receiver):
        receiver.__exit__()
        publish("a")
        sweep()
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == Status.FAILED and "could not connect" in delivery.last_error

    def test_retries_back_off_exponentially_with_jitter(self):
        rng = random.Random(7)
        waits = [webhooks.retry_wait(n, rng).total_seconds() for n in range(1, 12)]
        nominal = [min(60 * 3 ** (n - 1), 8 * 3600) for n in range(1, 12)]
        assert all(0.8 * w <= got <= 1.2 * w for got, w in zip(waits, nominal, strict=True))
        assert len({round(got / w, 6) for got, w in zip(waits, nominal, strict=True)}) > 1  # jittered
        # Nine waits at the low end of the jitter still add up to a day: ten failed rounds take >= 24 h.
        assert 0.8 * sum(nominal[:9]) >= 24 * 3600

    def test_gives_up_after_a_day_of_failures(self, endpoint, receiver):
        receiver.answer = lambda request: 503
        publish("a")
        sweep()
        delivery = WebhookDelivery.objects.get()
        assert delivery.retry_until - delivery.created_at == dt.timedelta(hours=24)
        assert delivery.status == Status.FAILED
        sweep(delivery.retry_until + dt.timedelta(seconds=1))
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (Status.GAVE_UP, 2)
        assert sweep(later(days=3)) == 0 and len(receiver.received) == 2

    def test_in_order_per_course_a_later_change_waits_for_the_earlier(self, endpoint, receiver):
        course = publish("a")
        first_a = FeedEntry.objects.get(course_id=course.pk).pk
        failed_once = set()

        def answer(request):
            if request.json["id"] == first_a and first_a not in failed_once:
                failed_once.add(first_a)
                return 500
            return 200

        receiver.answer = answer
        publish("b")
        services.course_update(course=course, title="A, second release", status="published")
        services.course_unpublish(course=Course.objects.get(slug="a"))
        # Only the first unfinished delivery of each course can be claimed: a's later ones wait.
        heads = services.deliveries_claim(endpoint=endpoint, now=later(minutes=5))
        assert [(d.slug, d.entry_id == first_a) for d in heads] == [("a", True), ("b", False)]
        for minutes in range(10, 60, 5):  # past the claim's lease, then round after round
            sweep(later(minutes=minutes))
        # a's first change failed once and was sent again before a's later ones; b did not wait for a.
        a_requests = [(p["id"], p["kind"]) for p in receiver.payloads() if p["slug"] == "a"]
        assert [i for i, _ in a_requests] == sorted(i for i, _ in a_requests)
        assert a_requests[0][0] == a_requests[1][0] == first_a
        assert [kind for _, kind in a_requests] == ["published", "published", "published", "removed"]
        a_titles = [p["course"]["title"] for p in receiver.payloads() if p["slug"] == "a" and p["course"]]
        assert a_titles == [a_titles[0], a_titles[0], "A, second release"]
        assert [p["slug"] for p in receiver.payloads()].count("b") == 1
        assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {Status.SENT}

    def test_a_course_whose_delivery_fails_does_not_hold_up_the_others(self, endpoint, receiver, settings):
        settings.WEBHOOKS_CONCURRENCY = 1  # the round goes in delivery order: a, then b
        course = publish("a")
        publish("b")
        services.course_unpublish(course=course)
        assert sweep() == 3
        receiver.answer = lambda request: 500 if request.json["slug"] == "a" else 200
        services.course_publish(course=course)
        publish("c")
        sweep()  # a fails (the round stops there); c is not blocked by a, only by the endpoint's pause
        endpoint.refresh_from_db()
        sweep(endpoint.retry_at + dt.timedelta(seconds=1))
        # The probe takes c (never tried) before a's retry, so the endpoint is seen to work again.
        assert [p["slug"] for p in receiver.payloads()][3:5] == ["a", "c"]
        assert WebhookDelivery.objects.get(slug="c").status == Status.SENT

    def test_a_gave_up_delivery_lets_the_next_one_of_its_course_go(self, endpoint, receiver):
        course = publish("a")
        head = WebhookDelivery.objects.get()
        receiver.answer = lambda request: 500 if request.json["id"] == head.entry_id else 200
        services.course_unpublish(course=course)
        sweep()
        WebhookDelivery.objects.filter(pk=head.pk).update(retry_until=timezone.now())
        sweep(later(minutes=2))  # the head gives up; the endpoint, failing, pauses
        sweep(later(minutes=10))
        statuses = list(WebhookDelivery.objects.order_by("entry_id").values_list("status", flat=True))
        assert statuses == [Status.GAVE_UP, Status.SENT]

    def test_a_batch_abandoned_by_a_dying_worker_is_sent_after_its_lease(self, endpoint, receiver):
        for slug in ("a", "b", "c"):
            publish(slug)
        claimed = services.deliveries_claim(endpoint=endpoint)
        assert len(claimed) == 3
        # The worker dies here: nothing sent, nothing recorded. Other sweeps leave the claim alone...
        assert sweep() == 0 and receiver.received == []
        assert services.deliveries_claim(endpoint=endpoint) == []
        # ...until the lease runs out; then the batch is sent, once.
        assert sweep(timezone.now() + webhooks.LEASE + dt.timedelta(seconds=1)) == 3
        assert sorted(r.json["slug"] for r in receiver.received) == ["a", "b", "c"]
        assert set(WebhookDelivery.objects.values_list("status", "claim")) == {(Status.SENT, "")}

    def test_a_late_answer_from_a_lost_claim_does_not_overwrite_the_new_claimer(self, endpoint, receiver):
        publish("a")
        (stale,) = services.deliveries_claim(endpoint=endpoint)
        assert sweep(timezone.now() + webhooks.LEASE + dt.timedelta(seconds=1)) == 1
        fake = {stale.pk: webhooks.webhook_http.Result(False, 500, "late", "answered 500")}
        assert webhooks._record(endpoint, [stale], fake, now=timezone.now()) == 0
        assert WebhookDelivery.objects.get().status == Status.SENT

    def test_deliver_again_resends_with_the_same_id(self, endpoint, receiver):
        publish("a")
        sweep()
        delivery = WebhookDelivery.objects.get()
        services.delivery_retry(delivery=delivery)
        assert WebhookDelivery.objects.get().status == Status.PENDING
        assert sweep() == 1
        assert [r.delivery for r in receiver.received] == [str(delivery.entry_id)] * 2


class TestAddresses:
    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:8000/hook",
            "http://localhost/hook",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.10/",
            "http://169.254.169.254/latest/meta-data/",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://[::1]/",
            "http://[fe80::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::127.0.0.1]/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://[64:ff9b::7f00:1]/",
            "http://[64:ff9b:1::a9fe:a9fe]/",
            "http://[2002:a9fe:a9fe::1]/",
            "http://[2002:7f00:1::1]/",
            "http://[::ffff:0:7f00:1]/",
            "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
            "http://[fd00::1]/",
            "http://224.0.0.1/",
        ],
    )
    def test_private_loopback_and_link_local_addresses_are_refused(self, settings, url):
        settings.WEBHOOKS_ALLOW_PRIVATE = False
        with pytest.raises(CatalogValidationError) as refused:
            services.endpoint_add(url=url, secret="s" * 20)
        assert "WEBHOOKS_ALLOW_PRIVATE" in str(refused.value)
        assert not WebhookEndpoint.objects.exists()

    def test_a_public_address_is_accepted(self, settings):
        settings.WEBHOOKS_ALLOW_PRIVATE = False
        assert services.endpoint_add(url="https://93.184.216.34/hooks", secret="s" * 20).active

    @pytest.mark.parametrize(
        "address", ["64:ff9b::5db8:d822", "2002:5db8:d822::1", "2606:4700::1111", "::ffff:93.184.216.34"]
    )
    def test_transition_forms_of_public_addresses_are_public(self, address):
        from catalog.services.changes.webhook_http import public

        assert public(address)

    @pytest.mark.parametrize(
        "url, message",
        [
            ("", "Enter the URL"),
            ("ftp://example.org/x", "http:// or https://"),
            ("javascript:alert(1)", "http:// or https://"),
            ("https://user:pw@example.org/", "credentials"),
            ("http://example.org:99999/", "port"),
            ("http://exa mple.org/", "valid URL"),
            ("https://example.org/" + "x" * 2000, "2000"),
        ],
    )
    def test_bad_urls_are_refused_saying_why(self, url, message):
        with pytest.raises(CatalogValidationError) as refused:
            services.endpoint_add(url=url, secret="s" * 20)
        assert message in str(refused.value)

    def test_a_short_secret_and_a_second_endpoint_of_one_url_are_refused(self, endpoint):
        with pytest.raises(CatalogValidationError, match="16 characters"):
            services.endpoint_add(url="http://127.0.0.1:9/x", secret="short")
        with pytest.raises(CatalogValidationError, match="exists already"):
            services.endpoint_add(url=endpoint.url, secret="s" * 20)

    def test_checked_again_when_sending(self, endpoint, receiver, settings):
        publish("a")
        settings.WEBHOOKS_ALLOW_PRIVATE = False  # as if the name now resolved to a private address
        sweep()
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == Status.FAILED and "refused" in delivery.last_error
        assert "127.0.0.1" in delivery.last_error and receiver.received == []


class TestSwitchOff:
    def fail_rounds(self, endpoint, rounds):
        """Sweep `rounds` times, each just when both the endpoint and its delivery are due again."""
        for _ in range(rounds):
            endpoint.refresh_from_db()
            due = WebhookDelivery.objects.filter(status__in=WebhookDelivery.UNFINISHED).earliest("next_attempt_at")
            sweep(max(endpoint.retry_at or timezone.now(), due.next_attempt_at) + dt.timedelta(seconds=1))

    def test_an_endpoint_failing_n_rounds_in_a_row_is_switched_off(self, endpoint, receiver, settings):
        settings.WEBHOOKS_FAILURE_LIMIT = 3
        receiver.answer = lambda request: 500
        publish("a")
        self.fail_rounds(endpoint, 2)
        endpoint.refresh_from_db()
        assert endpoint.active and endpoint.failures == 2 and endpoint.retry_at
        self.fail_rounds(endpoint, 1)
        endpoint.refresh_from_db()
        assert not endpoint.active and endpoint.switched_off_at
        assert "3 failed attempts in a row" in endpoint.switched_off_reason
        assert "answered 500" in endpoint.switched_off_reason
        # Switched off: no new deliveries for it, and nothing is sent to it.
        publish("b")
        assert WebhookDelivery.objects.filter(slug="b").count() == 0
        assert sweep(later(days=5)) == 0 and len(receiver.received) == 3
        # Switched on again, once the receiver works: what was pending is sent.
        receiver.answer = lambda request: 200
        endpoint = services.endpoint_update(endpoint=endpoint, active=True)
        assert (endpoint.failures, endpoint.retry_at, endpoint.switched_off_reason) == (0, None, "")
        assert sweep() == 1 and WebhookDelivery.objects.get(slug="a").status == Status.SENT

    def test_a_success_resets_the_count(self, endpoint, receiver):
        answers = iter([500, 500, 200])
        receiver.answer = lambda request: next(answers, 200)
        publish("a")
        self.fail_rounds(endpoint, 2)
        endpoint.refresh_from_db()
        assert endpoint.failures == 2
        sweep(later(days=3))
        endpoint.refresh_from_db()
        assert (endpoint.failures, endpoint.retry_at, endpoint.active) == (0, None, True)

    def test_a_failing_endpoint_is_paused_then_probed_one_delivery_at_a_time(self, endpoint, receiver, settings):
        settings.WEBHOOKS_CONCURRENCY = 1
        receiver.answer = lambda request: 502
        for slug in "abcde":
            publish(slug)
        sweep()
        assert len(receiver.received) == 1  # the round stops at its first failure
        endpoint.refresh_from_db()
        assert sweep(endpoint.retry_at - dt.timedelta(seconds=1)) == 0 and len(receiver.received) == 1
        sweep(endpoint.retry_at + dt.timedelta(seconds=1))
        assert len(receiver.received) == 2  # one probe
        receiver.answer = lambda request: 200
        endpoint.refresh_from_db()
        assert sweep(endpoint.retry_at + dt.timedelta(hours=1)) == 5  # a success, then the backlog

    def test_deliver_again_lifts_the_pause_but_not_a_switch_off(self, endpoint, receiver):
        receiver.answer = lambda request: 500
        publish("a")
        sweep()
        receiver.answer = lambda request: 200
        services.delivery_retry(delivery=WebhookDelivery.objects.get())
        assert sweep() == 1
        services.endpoint_update(endpoint=endpoint, active=False)
        with pytest.raises(CatalogValidationError, match="switched off"):
            services.delivery_retry(delivery=WebhookDelivery.objects.get())


class TestEndpoints:
    def test_update_checks_like_add_and_remove_takes_the_deliveries(self, endpoint):
        with pytest.raises(CatalogValidationError):
            services.endpoint_update(endpoint=endpoint, url="gopher://x")
        with pytest.raises(CatalogValidationError):
            services.endpoint_update(endpoint=endpoint, secret="short")
        updated = services.endpoint_update(endpoint=endpoint, secret="n" * 32)
        assert updated.secret == "n" * 32
        publish("a")
        services.endpoint_remove(endpoint=endpoint)
        assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()


class TestPruning:
    def test_the_tick_drops_finished_deliveries_older_than_the_feed_keeps(self, endpoint, receiver, settings):
        settings.CATALOG_FEED_RETENTION = 30
        publish("sent")
        publish("failing")
        receiver.answer = lambda request: 200 if request.json["slug"] == "sent" else 503
        sweep()
        assert dict(WebhookDelivery.objects.values_list("slug", "status")) == {"sent": "sent", "failing": "failed"}
        assert services.tick()["deliveries_dropped"] == 0  # young
        assert webhooks.deliveries_prune(retention_days=30, now=later(days=31)) == 1
        # The unfinished one stays whatever its age: it still has to be sent (or given up).
        assert list(WebhookDelivery.objects.values_list("slug", flat=True)) == ["failing"]
