"""Learners' reads from a read replica: a real streaming standby as the second database alias.

`make test-replica` runs these against a private primary and a pg_basebackup standby of it
(tests/helpers/pg_pair.py), with DATABASE_URL and DATABASE_REPLICA_URL set as in production. In tests the
`replica` alias mirrors the primary (no test database of its own); the fixture points it back at
the standby, which holds the test database because it replicates everything. Pausing its replay is
replication lag on demand: the replica visibly holds old rows, and learners must still never see
them.
"""

import time

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext

from catalog import cache as catalog_cache
from catalog import services
from catalog.db import fence
from catalog.db import replica as replica_routing
from catalog.db.replica import REPLICA, ReplicaRouter
from catalog.models import Course
from tests.factories import CourseFactory, tree
from tests.helpers.servers import free_port

pytestmark = [
    pytest.mark.replica,
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA]),
]

PROBE = "pg_last_wal_replay_lsn"


@pytest.fixture
def replica(settings):
    """The `replica` alias, pointed from its test mirror back at the standby's copy of the test database."""
    connection = connections[REPLICA]
    standby = settings.DATABASES[REPLICA]
    mirrored = connection.settings_dict
    connection.close()
    connection.settings_dict = {**mirrored, "HOST": standby["HOST"], "PORT": standby["PORT"]}
    replica_routing._down_until = 0.0
    yield connection
    connection.close()
    connection.settings_dict = {**mirrored, "HOST": standby["HOST"], "PORT": standby["PORT"]}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    connection.close()
    connection.settings_dict = mirrored
    replica_routing._down_until = 0.0


def wait_until_caught_up(timeout=30):
    target = fence.primary_lsn()
    deadline = time.monotonic() + timeout
    while fence.replayed_lsn() < target:
        assert time.monotonic() < deadline, "the standby did not catch up"
        time.sleep(0.02)


def pause_replay(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
        deadline = time.monotonic() + 10
        while cursor.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] != "paused":
            assert time.monotonic() < deadline
            time.sleep(0.02)


def resume_replay(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")


class Reads:
    """Which database answered: catalog queries and replay probes per alias."""

    def __init__(self):
        self.primary = CaptureQueriesContext(connections[DEFAULT_DB_ALIAS])
        self.replica = CaptureQueriesContext(connections[REPLICA])

    def __enter__(self):
        self.primary.__enter__()
        self.replica.__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    @staticmethod
    def _catalog(captured):
        return [q["sql"] for q in captured.captured_queries if '"catalog_' in q["sql"]]

    @property
    def on_primary(self):
        return self._catalog(self.primary)

    @property
    def on_replica(self):
        return self._catalog(self.replica)

    @property
    def probes(self):
        return [q["sql"] for q in self.replica.captured_queries if PROBE in q["sql"]]


def published(slug, title="Replicated course"):
    return CourseFactory(slug=slug, title=title, topic="Replication", status=Course.Status.PUBLISHED, units=tree(2, 1))


def test_learner_reads_come_from_a_caught_up_replica(replica, api, client):
    published("on-replica")
    wait_until_caught_up()

    for url in ("/api/v1/courses/on-replica/", "/api/v1/courses/?topic=Replication", "/api/v1/topics/"):
        with Reads() as reads:
            response = api.get(url)
        assert response.status_code == 200, url
        assert reads.on_replica, url
        assert reads.on_primary == [], url
        assert len(reads.probes) == 1, "one replay check per request, however many queries"
    # the topics, from the replica
    assert {"topic": "replication", "name": "Replication", "course_count": 1} in response.json()

    with Reads() as reads:
        page = client.get("/courses/on-replica/")
    assert page.status_code == 200 and b"Replicated course" in page.content
    assert reads.on_replica and not reads.on_primary


def test_a_lagging_replica_never_serves_a_stale_read(replica, api):
    course = published("lagging", title="Before the edit")
    wait_until_caught_up()
    assert api.get("/api/v1/courses/lagging/").json()["title"] == "Before the edit"  # now cached

    pause_replay(replica)
    services.course_update(course=course, title="After the edit", status="published")
    published("born-during-lag", title="Born during the lag")
    # The replica really is behind: read it directly and the edit is not there.
    assert Course.objects.using(REPLICA).get(slug="lagging").title == "Before the edit"
    assert not Course.objects.using(REPLICA).filter(slug="born-during-lag").exists()

    with Reads() as reads:
        detail = api.get("/api/v1/courses/lagging/")
        listing = api.get("/api/v1/courses/?topic=Replication")
        born = api.get("/api/v1/courses/born-during-lag/")
    assert detail.json()["title"] == "After the edit"
    assert {c["title"] for c in listing.json()["results"]} == {"After the edit", "Born during the lag"}
    assert born.status_code == 200
    assert reads.on_replica == [] and reads.on_primary, "a lagging replica must not be read"

    resume_replay(replica)
    wait_until_caught_up()
    with Reads() as reads:
        fresh = api.get("/api/v1/courses/?topic=Replication&ordering=title")  # not cached yet
    assert [c["title"] for c in fresh.json()["results"]] == ["After the edit", "Born during the lag"]
    assert reads.on_replica and not reads.on_primary, "caught up again: back to the replica"


def test_deleted_and_unpublished_courses_vanish_even_while_the_replica_lags(replica, api):
    gone = published("to-delete")
    hidden = published("to-unpublish")
    wait_until_caught_up()
    pause_replay(replica)
    services.course_delete(course=gone)
    services.course_unpublish(course=hidden)

    assert api.get("/api/v1/courses/to-delete/").status_code == 404
    assert api.get("/api/v1/courses/to-unpublish/").status_code == 404
    assert api.get("/api/v1/courses/?topic=Replication").json()["count"] == 0


def test_the_fence_is_rebuilt_from_the_primary_when_redis_forgot_it(replica, api):
    course = published("forgotten-fence", title="Old")
    wait_until_caught_up()
    pause_replay(replica)
    services.course_update(course=course, title="New", status="published")
    catalog_cache.clear()  # Redis restarted empty, say: the fence is gone with everything else

    assert api.get("/api/v1/courses/forgotten-fence/").json()["title"] == "New"
    assert catalog_cache.fence_read() >= fence.primary_lsn() - 1024 * 1024  # set again, from the primary


def test_editors_and_writes_use_the_primary_only(replica, editor_api):
    published("edited")
    wait_until_caught_up()
    with Reads() as reads:
        assert editor_api.get("/api/v1/courses/edited/").status_code == 200
        assert editor_api.patch("/api/v1/courses/edited/", {"title": "Edited"}, format="json").status_code == 200
        assert editor_api.get("/api/v1/courses/?status=draft").status_code == 200
    assert reads.on_primary
    assert reads.on_replica == [] and reads.probes == []


def test_an_unreachable_replica_costs_speed_not_answers(replica, api, client, caplog, settings):
    published("replica-down", title="Still served")
    connections[REPLICA].close()
    connections[REPLICA].settings_dict["PORT"] = str(free_port())  # nothing listens there

    with caplog.at_level("WARNING", logger="catalog.db.replica"):
        first = api.get("/api/v1/courses/replica-down/")
        second = api.get("/api/v1/courses/?topic=Replication")
    assert first.status_code == 200 and first.json()["title"] == "Still served"
    assert second.json()["count"] == 1
    assert sum("read replica unavailable" in r.getMessage() for r in caplog.records) == 1, "one line per window"

    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["replica"] == "unavailable" and ready.json()["status"] == "ok"


def test_readyz_says_when_the_replica_lags(replica, client):
    course = published("ready")
    wait_until_caught_up()
    assert client.get("/readyz").json()["replica"] == "ok"
    pause_replay(replica)
    services.course_update(course=course, title="Moved on", status="published")
    body = client.get("/readyz").json()
    assert body["replica"] == "lagging" and body["status"] == "ok"


def test_the_router_keeps_transactions_other_apps_and_migrations_on_the_primary(replica):
    from django.contrib.auth.models import User

    router = ReplicaRouter()
    published("routed")
    wait_until_caught_up()
    assert router.db_for_read(Course) == REPLICA
    assert router.db_for_read(User) == DEFAULT_DB_ALIAS
    assert router.db_for_write(Course) == DEFAULT_DB_ALIAS
    with transaction.atomic():
        assert router.db_for_read(Course) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(REPLICA, "catalog") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "catalog") is None


def test_replica_choices_are_counted_for_metrics(replica, api, settings):
    from prometheus_client import REGISTRY

    settings.METRICS_ENABLED = True

    def chosen(database):
        return REGISTRY.get_sample_value("catalog_replica_reads_total", {"database": database}) or 0

    course = published("counted")
    wait_until_caught_up()
    before = chosen("replica"), chosen("primary")
    assert api.get("/api/v1/courses/counted/").status_code == 200
    assert (chosen("replica"), chosen("primary")) == (before[0] + 1, before[1])
    pause_replay(replica)
    services.course_update(course=course, title="Changed while lagging", status="published")
    assert api.get("/api/v1/courses/counted/").json()["title"] == "Changed while lagging"
    assert (chosen("replica"), chosen("primary")) == (before[0] + 1, before[1] + 1)
