"""Redis behind Sentinel: the master killed, a write while no master exists, and learners reading throughout get
no error, never the old answer once the write has returned, and cache hits again within seconds of the promotion."""

import json
import subprocess
import sys
import time

import pytest
from django.conf import settings

from catalog.cache.failover import replication_id
from tests.factories import CourseFactory, tree
from tests.helpers.redis_sentinel import SentinelSet
from tests.helpers.servers import ROOT, gunicorn, server_env
from tests.helpers.varnish import fetch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

WRITER = """
import sys
from catalog import services
from catalog.models import Course
print("ready", flush=True)
sys.stdin.readline()
services.course_update(course=Course.objects.get(slug="hot"), title="After", status="published")
print("written", flush=True)
"""


def database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def redis_set():
    # Two seconds of silence before the Sentinel fails over: the write below lands while no master exists.
    with SentinelSet(down_after_ms=2000) as servers:
        yield servers


def test_replication_id_is_read_from_info():
    assert replication_id(b"# Replication\r\nrole:master\r\nmaster_replid:abc123\r\nmaster_replid2:000\r\n") == "abc123"
    assert replication_id("role:slave\r\n") == ""


def test_a_failover_with_a_write_during_it(redis_set):
    CourseFactory(slug="hot", title="Before", topic="Testing", status="published", units=tree(1))
    env = {**redis_set.env(), "CATALOG_CACHE_PREFIX": "failover"}
    with gunicorn(database_url=database_url(), workers=1, **env) as base:
        url = f"{base}/api/v1/courses/hot/"
        fetch(url)
        assert fetch(url)[1]["X-Cache"] == "HIT"
        writer = subprocess.Popen(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", WRITER],
            cwd=ROOT,
            env=server_env(database_url=database_url(), DJANGO_DEBUG="1", **env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout.readline().strip() == "ready"

        redis_set.kill_master()
        killed = time.monotonic()
        writer.stdin.write("\n")
        writer.stdin.flush()
        assert writer.stdout.readline().strip() == "written"  # the write succeeds with no master
        writer.wait(30)
        assert redis_set.master_port() != redis_set.ports["replica"]  # it did land before the promotion

        errors, stale, promoted, back = [], 0, None, None
        while time.monotonic() < killed + 40 and back is None:
            status, headers, body = fetch(url)
            if status != 200:
                errors.append(status)
            elif json.loads(body)["title"] != "After":
                stale += 1
            if promoted is None and redis_set.master_port() == redis_set.ports["replica"]:
                promoted = time.monotonic()
            if promoted is not None and headers.get("X-Cache") == "HIT":
                back = time.monotonic()
            time.sleep(0.02)
    assert (errors, stale) == ([], 0)
    assert promoted is not None and back is not None, "the cache never came back"
    assert back - promoted < 5, f"the cache came back {back - promoted:.1f} s after the promotion"


def test_the_worker_broker_follows_a_failover(redis_set):
    """Celery's messages go to whichever Redis the Sentinel names master (kombu's Sentinel transport)."""
    script = "from config.celery import app; app.send_task('catalog.webhooks_send', retry=False); print('sent')"
    env = server_env(database_url=database_url(), DJANGO_DEBUG="1", **redis_set.env())

    def send():
        command = [sys.executable, "manage.py", "shell", "--no-imports", "-c", script]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0 and "sent" in done.stdout, done.stderr[-2000:]

    send()
    assert redis_set.client("master").llen("celery") == 1
    redis_set.kill_master()
    redis_set.wait_for_promotion()
    send()
    assert redis_set.client("replica").llen("celery") >= 1
