"""Edge purges: which keys a write purges, the headers learner answers carry, the outbox that purges an edge
again until it answers, and the CDN adapters (their APIs stood in for by a local receiver)."""

import datetime as dt
import json
import time

import pytest
from django.utils import timezone

from catalog import services
from catalog.domain.records import clean_record
from catalog.models import Course, EdgePurge
from catalog.services.changes import edge as edge_purges
from tests.deploy.test_varnish_vcl import KEEP
from tests.factories import CourseFactory, tree
from tests.helpers.servers import Proxy
from tests.helpers.varnish import Scripted, Varnish, fetch, until

pytestmark = pytest.mark.django_db(transaction=True)


def published(slug="edge", **fields):
    return CourseFactory(slug=slug, title="Before", topic="Testing", status="published", units=tree(1), **fields)


def keys_of(response) -> set[str]:
    return set(response["xkey"].split())


def max_age(response) -> int:
    return int(response["Surrogate-Control"].removeprefix("max-age="))


@pytest.mark.embedded
class TestLearnerAnswersTellTheEdge:
    def test_a_detail_depends_on_its_course_and_a_list_on_every_list(self, client, settings):
        settings.CACHES["default"]["KEY_PREFIX"] = settings.CACHES["default"].get("KEY_PREFIX") or "catalog"
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        published()
        for read in range(2):  # a miss, then the cache's hit: the same keys
            detail = client.get("/api/v1/courses/edge/")
            assert detail["X-Cache"] == ("MISS", "HIT")[read]
            assert keys_of(detail) == {f"{prefix}:course:edge", f"{prefix}:all"}
            assert 0 < max_age(detail) <= settings.CATALOG_EDGE_TTL
        for path in ("/api/v1/courses/", "/api/v1/topics/", "/", "/api/v1/changes/"):
            assert keys_of(client.get(path)) == {f"{prefix}:lists", f"{prefix}:all"}, path
        assert keys_of(client.get("/courses/edge/")) == {f"{prefix}:course:edge", f"{prefix}:all"}
        missing = client.get("/api/v1/courses/nothing-here/")
        assert keys_of(missing) == {f"{prefix}:course:nothing-here", f"{prefix}:all"}

    def test_no_answer_is_kept_past_the_next_scheduled_switch(self, client, editor):
        course = published()
        services.course_schedule(course=course, unpublish_at=timezone.now() + dt.timedelta(seconds=42), by=editor)
        other = published(slug="other")
        miss = client.get("/api/v1/courses/edge/")
        assert 40 <= max_age(miss) <= 42
        time.sleep(1.1)
        hit = client.get("/api/v1/courses/edge/")
        assert hit["X-Cache"] == "HIT" and max_age(hit) <= 41  # what the stored copy has left, not a new TTL
        for path in ("/api/v1/courses/", "/", "/courses/other/", "/api/v1/topics/"):
            assert max_age(client.get(path)) <= 41, path  # any course's switch changes lists and pages
        assert max_age(client.get(f"/api/v1/courses/{other.slug}/")) > 42  # only its own switches bound a detail

    def test_editors_previews_admin_and_errors_say_nothing_to_the_edge(self, client, editor_api, admin_client):
        published()
        assert "Surrogate-Control" not in editor_api.get("/api/v1/courses/edge/")
        preview = editor_api.post("/api/v1/courses/edge/preview/").json()
        assert "Surrogate-Control" not in client.get(preview["api_url"])
        assert "Surrogate-Control" not in client.get(preview["url"])
        assert "Surrogate-Control" not in admin_client.get("/admin/")
        assert "Surrogate-Control" not in client.get("/admin/login/")
        assert "Surrogate-Control" not in client.get("/healthz")
        assert "Surrogate-Control" not in client.get("/api/v1/courses/?level=expert&created_after=never")

    def test_learner_answers_set_no_cookie(self, client):
        published()
        for path in ("/", "/courses/edge/", "/api/v1/courses/", "/api/v1/courses/edge/", "/api/v1/topics/"):
            response = client.get(path)
            assert response.status_code == 200 and not response.cookies, path


@pytest.mark.embedded
class TestWhichKeysAWritePurges:
    @pytest.fixture
    def purged(self, settings, monkeypatch):
        calls = []
        settings.CATALOG_EDGE_PURGE_URLS = ["http://edge.invalid"]
        monkeypatch.setattr(edge_purges, "_purge_each", lambda edges, keys: calls.append(sorted(keys)) or [])
        return calls

    def test_a_course_and_every_list(self, purged, settings):
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        course = published()
        purged.clear()
        services.course_update(course=course, title="After")
        assert purged == []  # the working copy only: nothing learners see changed
        services.course_publish(course=Course.objects.get(pk=course.pk))
        assert purged == [[f"{prefix}:course:edge", f"{prefix}:lists"]]

    def test_a_new_slug_purges_the_old_address_too(self, purged, settings):
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        course = published()
        purged.clear()
        # The slug is part of the release: the rename waits in the working copy (nothing purged), and
        # the publish that moves learners' address purges both addresses in one flush.
        services.course_update(course=course, slug="renamed")
        assert purged == []
        services.course_publish(course=Course.objects.get(pk=course.pk))
        assert purged == [[f"{prefix}:course:edge", f"{prefix}:course:renamed", f"{prefix}:lists"]]

    def test_a_write_of_many_courses_purges_everything_with_one_key(self, purged, settings):
        records = [
            clean_record({"slug": f"c-{i}", "title": "T", "topic": "Testing", "status": "published", "units": tree(1)})
            for i in range(edge_purges.surrogate.MANY + 1)
        ]
        services.courses_upsert(records=records)
        assert purged == [[f"{settings.CACHES['default']['KEY_PREFIX']}:all"]]


class TestAnEdgeThatDoesNotAnswer:
    @pytest.fixture
    def held(self, settings):
        """A real varnishd holding a learner's copy for the course `edge`, and a way to it for purges that is
        closed (the web servers cannot reach it, learners can)."""
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        backend = Scripted()
        path = "/api/v1/courses/edge/"
        backend.routes[path] = (200, {**KEEP, "xkey": f"{prefix}:course:edge {prefix}:all"}, b'{"v": "old"}', 0)
        with Varnish(backend.port) as edge:
            forwarder = Proxy(target=("127.0.0.1", edge.port))  # closed until a test starts it
            settings.CATALOG_EDGE_PURGE_URLS = [f"http://127.0.0.1:{forwarder.port}"]
            fetch(edge.url + path)
            assert fetch(edge.url + path)[1]["X-Edge-Cache"] == "HIT"
            yield lambda: fetch(edge.url + path)[1]["X-Edge-Cache"], forwarder
            if forwarder.listener is not None:
                forwarder.cut()
        backend.close()

    def test_the_write_succeeds_and_the_purge_waits_in_the_outbox(self, held):
        state, _forwarder = held
        course = published()
        assert Course.objects.get(pk=course.pk).status == "published"
        assert EdgePurge.objects.count() >= 1
        assert state() == "HIT"
        assert edge_purges.edge_purges_retry(now=timezone.now() + dt.timedelta(minutes=1)) == 0  # still closed
        assert EdgePurge.objects.get(pk=EdgePurge.objects.last().pk).attempts == 1

    def test_it_is_purged_as_soon_as_it_answers_again(self, held):
        state, forwarder = held
        published()
        assert EdgePurge.objects.exists()
        forwarder.start()
        # The process that wrote tries again by itself, within seconds.
        assert until(lambda: state() == "MISS", timeout=15)
        assert until(lambda: not EdgePurge.objects.exists(), timeout=5)

    def test_catalog_tick_purges_what_is_due(self, held, monkeypatch):
        state, forwarder = held
        monkeypatch.setattr(edge_purges.retry_thread, "wake", lambda: None)  # another process wrote, say
        published()
        forwarder.start()
        assert services.tick()["edge_purges"] == 0  # not due yet: waits grow from a second
        EdgePurge.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
        assert services.tick()["edge_purges"] == 1
        assert not EdgePurge.objects.exists()
        assert until(lambda: state() == "MISS", timeout=5)

    def test_a_refusal_counts_as_not_taken(self, settings):
        with Scripted() as refusing:
            refusing.reply = (403, b"Forbidden")
            settings.CATALOG_EDGE_PURGE_URLS = [refusing.url]
            course = published()
            assert refusing.asked[-1].method == "PURGE"
        assert Course.objects.get(pk=course.pk).status == "published"
        assert "answered 403" in EdgePurge.objects.get().last_error


class TestCDNAdapters:
    @pytest.fixture
    def api(self):
        with Scripted() as receiver:
            yield receiver

    def test_fastly_purges_by_surrogate_key(self, api, settings, client):
        settings.CATALOG_EDGE_CDNS = ["fastly"]
        settings.CATALOG_EDGE_FASTLY_API = api.url.rstrip("/")
        settings.CATALOG_EDGE_FASTLY_SERVICE_ID = "svc1"
        settings.CATALOG_EDGE_FASTLY_TOKEN = "secret-token"
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        published()
        request = api.asked[-1]
        assert (request.method, request.path) == ("POST", "/service/svc1/purge")
        assert request.headers["Fastly-Key"] == "secret-token"
        assert sorted(json.loads(request.body)["surrogate_keys"]) == [f"{prefix}:course:edge", f"{prefix}:lists"]
        answer = client.get("/api/v1/courses/edge/")
        assert answer["Surrogate-Key"] == f"{prefix}:course:edge {prefix}:all"

    def test_cloudflare_purges_by_cache_tag_thirty_at_a_time(self, api, settings, client):
        settings.CATALOG_EDGE_CDNS = ["cloudflare"]
        settings.CATALOG_EDGE_CLOUDFLARE_API = api.url.rstrip("/")
        settings.CATALOG_EDGE_CLOUDFLARE_ZONE_ID = "zone9"
        settings.CATALOG_EDGE_CLOUDFLARE_TOKEN = "cf-token"
        api.reply = (200, b'{"success": true}')
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        services.courses_upsert(
            records=[
                clean_record(
                    {"slug": f"c-{i}", "title": "T", "topic": "Testing", "status": "published", "units": tree(1)}
                )
                for i in range(40)
            ]
        )
        assert [r.path for r in api.asked] == ["/zones/zone9/purge_cache"] * 2
        assert api.asked[0].headers["Authorization"] == "Bearer cf-token"
        tags = [tag for r in api.asked for tag in json.loads(r.body)["tags"]]
        assert len(tags) == 41 and f"{prefix}:lists" in tags and len(json.loads(api.asked[0].body)["tags"]) == 30
        answer = client.get("/api/v1/courses/c-1/")
        assert answer["Cache-Tag"] == f"{prefix}:course:c-1,{prefix}:all"
        assert answer["CDN-Cache-Control"] == answer["Surrogate-Control"]

    def test_a_cdn_that_says_it_failed_gets_the_purge_again(self, api, settings):
        settings.CATALOG_EDGE_CDNS = ["cloudflare"]
        settings.CATALOG_EDGE_CLOUDFLARE_API = api.url.rstrip("/")
        settings.CATALOG_EDGE_CLOUDFLARE_ZONE_ID = "zone9"
        api.reply = (200, b'{"success": false, "errors": [{"message": "rate limited"}]}')
        published()
        assert "rate limited" in EdgePurge.objects.get(target="cloudflare").last_error
