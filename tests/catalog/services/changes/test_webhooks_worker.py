"""Who sends after commit: a real Celery worker (`celery -A config worker -B`) on the Redis broker, or,
without a broker (`make run`), a thread of the process that wrote."""

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from catalog import services, tasks
from catalog.models import Course, WebhookDelivery
from catalog.services.changes import webhooks
from config.celery import app
from tests.factories import CourseFactory, tree
from tests.helpers.servers import ROOT
from tests.helpers.webhook_receiver import Receiver

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def thread_sender(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOKS_SENDER = "thread"
    yield
    webhooks.inline_sender_stop()


def test_the_beat_runs_registered_tasks_every_minute():
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    assert {entry["task"] for entry in schedule.values()} == {"catalog.tick", "catalog.webhooks_send"}
    assert {entry["task"] for entry in schedule.values()} <= set(app.tasks)
    assert {entry["schedule"] for entry in schedule.values()} == {60.0}
    assert app.conf.broker_url == django_settings.CELERY_BROKER_URL


def test_the_tick_task_records_due_switches(settings):
    course = CourseFactory(slug="a", status="published", units=tree(1))
    services.course_schedule(course=course, unpublish_at=timezone.now() + dt.timedelta(seconds=1))
    time.sleep(1.1)
    assert tasks.catalog_tick()["settled"] == 1
    assert Course.objects.get(pk=course.pk).status == "draft"


class TestWithoutABroker:
    def test_the_writing_process_sends_after_commit(self, thread_sender, receiver):
        services.endpoint_add(url=receiver.url, secret=receiver.secret)
        CourseFactory(slug="a", status="published", units=tree(1))
        (request,) = receiver.wait_for(1)
        assert request.verified and request.json["slug"] == "a"
        deadline = time.monotonic() + 10
        while WebhookDelivery.objects.get().status != "sent" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert WebhookDelivery.objects.get().status == "sent"

    def test_a_rolled_back_write_sends_nothing(self, thread_sender, receiver):
        services.endpoint_add(url=receiver.url, secret=receiver.secret)
        course = CourseFactory(slug="a", units=tree(1))
        with pytest.raises(RuntimeError), transaction.atomic():
            services.course_publish(course=course)
            raise RuntimeError("rolled back")
        CourseFactory(slug="b", status="published", units=tree(1))  # a later commit wakes the sender
        receiver.wait_for(1)
        time.sleep(0.3)
        assert [p["slug"] for p in receiver.payloads()] == ["b"]


@pytest.mark.redis_only
def test_a_celery_worker_sends_what_a_commit_made_due(settings, receiver, tmp_path):
    """The worker as deployed: woken through the Redis broker after commit, reading the same database."""
    import redis

    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOKS_SENDER = "celery"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
        "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / "beat-schedule"),
        "WEBHOOKS_ALLOW_PRIVATE": "1",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-B", "--pool=solo", "-l", "warning"]
        + ["--without-gossip", "--without-mingle", "-n", f"catalog-test-{os.getpid()}@%h"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "worker.log", "wb"),  # noqa: SIM115 - closed with the process
    )
    try:
        broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
        deadline = time.monotonic() + 30
        while not broker.exists("_kombu.binding.celery"):  # the worker has declared its queue
            assert worker.poll() is None and time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
            time.sleep(0.1)
        services.endpoint_add(url=receiver.url, secret=receiver.secret)
        CourseFactory(slug="a", status="published", units=tree(1))
        (request,) = receiver.wait_for(1, timeout=30)
        assert request.verified and request.json["slug"] == "a"
    finally:
        worker.terminate()
        worker.wait(20)


def test_without_a_broker_a_command_delivers_its_changes_before_it_exits(settings, receiver, tmp_path):
    """`import_courses` in a second terminal next to `make run`: its changes leave with it."""
    import json

    settings.WEBHOOKS_ALLOW_PRIVATE = True
    services.endpoint_add(url=receiver.url, secret=receiver.secret)
    record = {"slug": "imported", "title": "Imported", "topic": "T", "status": "published", "units": tree(1)}
    (tmp_path / "one.json").write_text(json.dumps([record]))
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")}
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}", WEBHOOKS_ALLOW_PRIVATE="1"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "import_courses", str(tmp_path / "one.json")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert [p["slug"] for p in receiver.payloads()] == ["imported"]
    assert WebhookDelivery.objects.get().status == "sent"
