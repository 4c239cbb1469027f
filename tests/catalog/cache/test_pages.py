"""The learners' cache on real Redis: hits without SQL, never stale, cheap invalidation, outages."""

import logging
import subprocess
import threading
import time
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection
from django.test import RequestFactory
from django_redis import get_redis_connection
from redis.connection import AbstractConnection

from catalog import cache, services
from catalog.cache import backoff, keys, stores
from catalog.cache.routes import page_for
from catalog.models import Course
from tests.factories import CourseFactory, tree
from tests.helpers.servers import free_port, wait_for_port

pytestmark = [pytest.mark.django_db, pytest.mark.redis_only]

LIST = "/api/v1/courses/"
TOPICS = "/api/v1/topics/"


def detail(slug):
    return f"/api/v1/courses/{slug}/"


@pytest.fixture
def published():
    return CourseFactory(slug="sql", title="Intro to SQL", topic="Databases", status="published", units=tree(2, 1))


SENT = Counter()  # the Redis commands this process sent, by name (never another client's, unlike INFO)


@pytest.fixture(autouse=True)
def sent_commands(monkeypatch):
    """Count, by name, every command a connection of this process sends to Redis, pipelined or not."""
    send_command, pack_commands = AbstractConnection.send_command, AbstractConnection.pack_commands

    def one(self, *args, **kwargs):
        SENT[str(args[0]).lower()] += 1
        return send_command(self, *args, **kwargs)

    def many(self, commands):
        commands = list(commands)
        SENT.update(str(command[0]).lower() for command in commands)
        return pack_commands(self, commands)

    monkeypatch.setattr(AbstractConnection, "send_command", one)
    monkeypatch.setattr(AbstractConnection, "pack_commands", many)


def command_calls(name: str) -> int:
    return SENT[name]


class TestHits:
    @pytest.mark.parametrize("url", [LIST, detail("sql"), TOPICS, LIST + "?topic=databases&page_size=5"])
    def test_second_read_is_a_hit_with_no_sql(self, api, published, url, django_assert_num_queries):
        first = api.get(url)
        assert first["X-Cache"] == "MISS"
        with django_assert_num_queries(0):
            second = api.get(url)
        assert second.status_code == 200
        assert second["X-Cache"] == "HIT"
        assert second.content == first.content
        assert second["ETag"] == first["ETag"]

    def test_a_hit_is_one_redis_round_trip(self, api, published):
        api.get(detail("sql"))
        mget, get, pipelines = command_calls("mget"), command_calls("get"), command_calls("exec")
        assert api.get(detail("sql"))["X-Cache"] == "HIT"
        assert (command_calls("mget") - mget, command_calls("get") - get) == (1, 0)
        assert command_calls("exec") == pipelines

    def test_a_hit_answers_if_none_match_with_304(self, api, published):
        etag = api.get(detail("sql"))["ETag"]
        response = api.get(detail("sql"), HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304

    def test_logged_in_learner_uses_the_cache(self, learner_api, published):
        assert learner_api.get(LIST)["X-Cache"] == "MISS"
        assert learner_api.get(LIST)["X-Cache"] == "HIT"

    def test_editors_never_read_nor_fill_the_cache(self, api, editor_api, published):
        CourseFactory(slug="secret-draft", title="Secret draft")
        editor_page = editor_api.get(LIST)
        assert editor_page["X-Cache"] == "BYPASS"
        assert {c["slug"] for c in editor_page.json()["results"]} == {"sql", "secret-draft"}
        learner_page = api.get(LIST)
        assert learner_page["X-Cache"] == "MISS"
        assert {c["slug"] for c in learner_page.json()["results"]} == {"sql"}
        assert editor_api.get(LIST)["X-Cache"] == "BYPASS"

    def test_errors_are_not_cached(self, api, published):
        assert api.get(LIST + "?page_size=0").status_code == 400
        assert api.get(detail("nope")).status_code == 404
        assert api.get(detail("nope")).get("X-Cache") is None


class TestKeys:
    def test_equivalent_queries_share_one_entry(self, api, published):
        assert api.get(LIST + "?topic=Databases&page=1")["X-Cache"] == "MISS"
        for same in (
            "?page=1&topic=databases",
            "?topic=DATABASES",
            "?topic=databases&utm_source=x",
            "?page_size=20&topic=databases",
        ):
            assert api.get(LIST + same)["X-Cache"] == "HIT", same

    def test_distinct_queries_have_distinct_entries(self, api, published):
        seen = set()
        for query in ("", "?topic=databases", "?ordering=title", "?page_size=5", "?search=sql", "?topic=other"):
            response = api.get(LIST + query)
            assert response["X-Cache"] == "MISS", query
            seen.add(page_for(RequestFactory().get(LIST + query)).key)
        assert len(seen) == 6

    def test_links_are_canonical(self, api):
        for i in range(3):
            CourseFactory(slug=f"c-{i}", status="published", topic="Databases")
        body = api.get(LIST + "?page_size=1&topic=Databases&junk=1").json()
        assert body["next"] == "http://127.0.0.1/api/v1/courses/?page=2&page_size=1&topic=databases"
        second = api.get(LIST + "?topic=databases&page=2&page_size=1").json()
        assert second["previous"] == "http://127.0.0.1/api/v1/courses/?page_size=1&topic=databases"

    def test_keys_are_namespaced_and_versioned(self, published):
        key = page_for(RequestFactory().get(LIST)).key
        assert key.startswith(f"{settings.CACHES['default']['KEY_PREFIX']}:cat:v{cache.CACHE_SCHEMA}:page:")

    def test_ttl_is_honoured(self, api, published, settings):
        settings.CATALOG_CACHE_TTL = 1
        api.get(detail("sql"))
        assert api.get(detail("sql"))["X-Cache"] == "HIT"
        time.sleep(1.3)
        assert api.get(detail("sql"))["X-Cache"] == "MISS"


def then_publish(edit):
    """A working-copy edit, then "publish changes": what learners see changes only with the second."""

    def write(course):
        edit(course)
        services.course_publish(course=Course.objects.get(pk=course.pk))

    return write


WRITES = {
    "update title": then_publish(lambda c: services.course_update(course=c, title="Changed title")),
    "unpublish": lambda c: services.course_unpublish(course=c),
    "archive": lambda c: services.course_archive(course=c),
    "delete": lambda c: services.course_delete(course=c),
    "add unit": then_publish(
        lambda c: services.module_create(unit=services.unit_create(course=c, title="Extra unit"), title="M")
    ),
    "rename unit": then_publish(lambda c: services.unit_update(unit=c.units.first(), title="Renamed unit")),
    "move unit": then_publish(lambda c: services.unit_move(unit=c.units.first(), position=2)),
    "delete unit": then_publish(lambda c: services.unit_delete(unit=c.units.last())),
    "add module": then_publish(lambda c: services.module_create(unit=c.units.first(), title="Extra module")),
    "rename module": then_publish(
        lambda c: services.module_update(module=c.units.first().modules.first(), title="Renamed")
    ),
    "move module": then_publish(lambda c: services.module_move(module=c.units.first().modules.first(), position=2)),
    "delete module": then_publish(lambda c: services.module_delete(module=c.units.first().modules.last())),
    "upsert": lambda c: services.course_upsert_tree(
        record={"slug": c.slug, "title": "Upserted", "topic": "Other", "units": tree(1), "status": "published"}
    ),
    "revert": lambda c: (
        services.course_update(course=c, title="Second"),
        services.course_publish(course=c),
        services.course_revert(course=c, number=1),
        services.course_publish(course=c),
    ),
}

# Changes of the working copy only: learners' pages stay as they are, and cached.
WORKING_COPY_WRITES = {
    "update title": lambda c: services.course_update(course=c, title="Changed title"),
    "add unit": lambda c: services.unit_create(course=c, title="Extra unit"),
    "delete module": lambda c: services.module_delete(module=c.units.first().modules.last()),
    "upsert without status": lambda c: services.course_upsert_tree(
        record={"slug": c.slug, "title": "Upserted", "topic": "Other", "units": tree(1)}
    ),
}


class TestFreshness:
    @pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
    def test_no_read_after_a_write_is_stale(self, api, published, write, django_capture_on_commit_callbacks):
        urls = [LIST, detail("sql"), TOPICS]
        before = {url: api.get(url).content for url in urls}
        assert all(api.get(url)["X-Cache"] == "HIT" for url in urls)
        with django_capture_on_commit_callbacks(execute=True):
            write(Course.objects.get(slug="sql"))
        for url in urls:
            response = api.get(url)
            assert response.get("X-Cache") != "HIT", url
            if url != TOPICS:  # topic counts change only with some writes; the others always do
                assert response.content != before[url], url

    @pytest.mark.parametrize("write", WORKING_COPY_WRITES.values(), ids=WORKING_COPY_WRITES.keys())
    def test_a_working_copy_change_keeps_what_learners_see(
        self, api, published, write, django_capture_on_commit_callbacks
    ):
        urls = [LIST, detail("sql"), TOPICS]
        before = {url: api.get(url).content for url in urls}
        with django_capture_on_commit_callbacks(execute=True):
            write(Course.objects.get(slug="sql"))
        for url in urls:
            response = api.get(url)
            assert (response["X-Cache"], response.content) == ("HIT", before[url]), url

    def test_invalidation_waits_for_commit(self, api, published, django_capture_on_commit_callbacks):
        api.get(detail("sql"))
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.course_update(course=published, title="Not yet committed", status="published")
            # Before the commit the old entry is still valid: nothing was invalidated early.
            assert api.get(detail("sql"))["X-Cache"] == "HIT"
        assert len(callbacks) == 1

    def test_a_write_to_one_course_keeps_other_courses_cached(self, api, published, django_capture_on_commit_callbacks):
        CourseFactory(slug="other", status="published")
        api.get(detail("other"))
        with django_capture_on_commit_callbacks(execute=True):
            services.course_update(course=published, title="Changed", status="published")
        assert api.get(detail("other"))["X-Cache"] == "HIT"
        assert api.get(detail("sql"))["X-Cache"] == "MISS"

    def test_invalidation_never_scans_keys(self, api, published, django_capture_on_commit_callbacks):
        for i in range(50):
            api.get(LIST + f"?search=word{i}")
        scans, keys = command_calls("scan"), command_calls("keys")
        with django_capture_on_commit_callbacks(execute=True):
            services.course_update(course=published, title="Changed", status="published")
        assert (command_calls("scan"), command_calls("keys")) == (scans, keys)

    def test_slow_reader_cannot_store_old_rows_for_later_readers(
        self, api, published, django_capture_on_commit_callbacks
    ):
        """Reader misses and reads old rows; the writer commits; then the reader stores: dead entry."""
        page = page_for(RequestFactory().get(detail("sql")))
        assert cache.lookup(page) is None  # the slow reader's miss: tokens read before its query
        old_body = api.get(detail("sql"), HTTP_AUTHORIZATION="Token none").content  # its old rows
        with django_capture_on_commit_callbacks(execute=True):
            services.course_update(course=published, title="Newer title", status="published")
        cache.store(page, body=old_body, etag=cache.etag_for(old_body))  # the late store
        response = api.get(detail("sql"))
        assert response["X-Cache"] == "MISS"
        assert response.json()["title"] == "Newer title"


class TestStampede:
    @pytest.mark.django_db(transaction=True)
    def test_one_worker_rebuilds_a_popular_page(self, published, monkeypatch):
        from rest_framework.test import APIClient

        from catalog import selectors

        builds = []
        original = selectors.learner_detail

        def counting(**kwargs):
            builds.append(1)
            time.sleep(0.2)  # a slow rebuild, so that the others arrive while it runs
            return original(**kwargs)

        monkeypatch.setattr(selectors, "learner_detail", counting)
        statuses = []
        barrier = threading.Barrier(8)

        def reader():
            try:
                barrier.wait()
                response = APIClient().get(detail("sql"))
                statuses.append((response.status_code, response["X-Cache"]))
            finally:
                connection.close()

        threads = [threading.Thread(target=reader) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert [s for s, _ in statuses] == [200] * 8
        assert len(builds) <= 2
        assert sum(x == "HIT" for _, x in statuses) >= 6


# --- Redis outages ---------------------------------------------------------------------------


@pytest.fixture
def own_redis(settings):
    """A Redis server of this test's own, so that it can be stopped, paused and restarted."""
    port = free_port()
    args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]

    class Server:
        def start(self):
            self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
            wait_for_port(port)

        def stop(self):
            self.proc.terminate()
            self.proc.wait(5)

        def pause(self):
            self.proc.send_signal(19)  # SIGSTOP: connections hang, like a stalled server

        def resume(self):
            self.proc.send_signal(18)  # SIGCONT

    server = Server()
    server.start()
    caches = {**settings.CACHES}
    caches["default"] = {**caches["default"], "LOCATION": f"redis://127.0.0.1:{port}/0"}
    settings.CACHES = caches
    backoff.reset()
    stores.forget()
    yield server
    server.resume()
    server.stop()
    backoff.reset()
    stores.forget()


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock():
    """The back-off window's clock, moved by the test instead of slept through."""
    fake = FakeClock()
    backoff.set_clock(fake)
    return fake


def wait_out_backoff(clock):
    clock.advance(cache.BACKOFF + 0.1)


class TestOutages:
    def test_closed_port_reads_and_writes_still_work_and_log_once(self, api, published, settings, caplog):
        caches = {**settings.CACHES}
        caches["default"] = {**caches["default"], "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
        settings.CACHES = caches
        cache.reset_process_state()
        caplog.set_level(logging.WARNING, logger="catalog.cache")
        for _ in range(5):
            response = api.get(detail("sql"))
            assert (response.status_code, response["X-Cache"]) == (200, "MISS")
        assert api.get(LIST).status_code == 200
        services.course_update(course=published, title="Written while Redis is down", status="published")
        assert api.get(detail("sql")).json()["title"] == "Written while Redis is down"
        outage_lines = [r for r in caplog.records if "catalog cache unavailable" in r.getMessage()]
        assert len(outage_lines) == 1

    def test_restarted_redis_serves_nothing_stale(
        self, api, published, own_redis, clock, django_capture_on_commit_callbacks
    ):
        api.get(detail("sql"))
        assert api.get(detail("sql"))["X-Cache"] == "HIT"
        own_redis.stop()
        with django_capture_on_commit_callbacks(execute=True):
            services.course_update(course=published, title="Written during the outage", status="published")
        assert api.get(detail("sql")).json()["title"] == "Written during the outage"
        own_redis.start()
        wait_out_backoff(clock)
        for _ in range(2):
            assert api.get(detail("sql")).json()["title"] == "Written during the outage"
        assert api.get(detail("sql"))["X-Cache"] == "HIT"

    def test_paused_redis_keeps_entries_but_they_are_never_served_stale(
        self, api, published, own_redis, clock, django_capture_on_commit_callbacks
    ):
        api.get(detail("sql"))
        api.get(LIST)
        own_redis.pause()
        with django_capture_on_commit_callbacks(execute=True):
            services.course_update(course=published, title="Written while Redis was stalled", status="published")
        own_redis.resume()
        # The stale entries are still in Redis; the failed invalidation is repaired before any use.
        wait_out_backoff(clock)
        assert api.get(detail("sql")).json()["title"] == "Written while Redis was stalled"
        assert api.get(LIST).json()["results"][0]["title"] == "Written while Redis was stalled"

    def test_repair_runs_on_its_own_when_redis_returns(
        self, api, published, own_redis, django_capture_on_commit_callbacks
    ):
        api.get(detail("sql"))
        client = get_redis_connection("default")
        epoch_key = keys.epoch()
        epoch_before = client.get(epoch_key)
        own_redis.pause()
        with django_capture_on_commit_callbacks(execute=True):
            services.course_update(course=published, title="Repaired by the timer", status="published")
        own_redis.resume()
        # No request in this process: the repair timer replaces the epoch by itself.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and get_redis_connection("default").get(epoch_key) == epoch_before:
            time.sleep(0.1)
        assert get_redis_connection("default").get(epoch_key) != epoch_before


class TestOperations:
    def test_stats_and_clear(self, api, published):
        from io import StringIO

        from django.core.management import call_command

        api.get(detail("sql"))
        api.get(detail("sql"))
        out = StringIO()
        call_command("catalog_cache", "stats", "--json", stdout=out)
        import json

        stats = json.loads(out.getvalue())
        assert (stats["pages"], stats["hits"], stats["misses"]) == (1, 1, 1)
        call_command("catalog_cache", "clear", stdout=StringIO())
        assert api.get(detail("sql"))["X-Cache"] == "MISS"


class TestReplicaFence:
    """The fence learners' replica reads wait for (catalog/db/replica.py): only ever raised."""

    def test_writers_finishing_out_of_order_cannot_lower_it(self):
        store, key = stores.current(), keys.fence()
        store.raise_number(key, 5_000)
        store.raise_number(key, 4_000)  # an earlier commit whose flush arrives late
        assert cache.fence_read() == 5_000
        store.publish({keys.scope(keys.LISTS): b"t"}, fence_key=key, fence=6_000)
        assert cache.fence_read() == 6_000

    def test_unknown_while_redis_is_away(self, settings):
        settings.CACHES = {
            **settings.CACHES,
            "default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{free_port()}/0"},
        }
        cache.reset_process_state()
        assert cache.fence_read(initial=lambda: 1) is None  # so reads go to the primary

    def test_no_replica_costs_writes_nothing(self, published):
        # Without DATABASE_REPLICA_URL a write records no fence (no WAL-position query).
        services.course_update(course=published, title="No fence without a replica", status="published")
        assert get_redis_connection("default").get(keys.fence()) is None


class TestBoundedMemory:
    def test_course_tokens_expire_with_the_pages_that_need_them(
        self, api, published, django_capture_on_commit_callbacks
    ):
        client = get_redis_connection("default")
        api.get(detail("sql"))
        assert 0 < client.ttl(keys.scope("sql")) <= keys.course_token_ttl()  # made by a read
        with django_capture_on_commit_callbacks(execute=True):
            services.course_update(course=published, title="Again", status="published")
        assert 0 < client.ttl(keys.scope("sql")) <= keys.course_token_ttl()  # replaced by a write
        assert client.ttl(keys.scope(keys.LISTS)) == -1  # one key for every list: it may stay
        assert client.ttl(keys.epoch()) == -1

    def test_a_token_gone_makes_its_pages_dead_never_stale(self, api, published, django_capture_on_commit_callbacks):
        client = get_redis_connection("default")
        api.get(detail("sql"))
        assert api.get(detail("sql"))["X-Cache"] == "HIT"
        client.delete(keys.scope("sql"))  # expired, or evicted under maxmemory
        response = api.get(detail("sql"))
        assert response["X-Cache"] == "MISS" and response.json()["title"] == "Intro to SQL"
