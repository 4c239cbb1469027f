"""Webhook benchmark: 1,000 changes delivered to a local receiver that verifies every signature.

    .venv/bin/python -m bench.webhooks [--changes 1000] [--concurrency 8]

One process on a PostgreSQL database of its own (recreated): the receiver is a threaded HTTP server
in this process (tests/helpers/webhook_receiver.py) checking each request's HMAC. Cases:

- floor: the receiver's raw rate, the same signed requests POSTed straight from the sender's HTTP
  code (catalog/services/changes/webhook_http.py) with the same concurrency: no database;
- writes: 1,000 drafts published (one transaction each) without an endpoint, 1,000 like them with
  one, and 1,000 more with it switched off again, so the outbox's cost per write shows;
- deliveries: the sweep (what the Celery task runs) sends what those writes made due, one change
  per course, then 10 changes for each of 100 courses (each course's changes go strictly in order).

Sending ratios are to the floor measured in the same run; writing ratios to the writes without an
endpoint.
"""

import argparse
import os
import platform
import time

from bench.common import db_url, recreate_database, table

DB = "catalog_bench_webhooks"


def setup_django():
    os.environ.update(
        DATABASE_URL=db_url(DB),
        DJANGO_SETTINGS_MODULE="config.settings",
        WEBHOOKS_ALLOW_PRIVATE="1",
        CATALOG_LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)  # an in-process cache: the bench measures webhooks, not Redis
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.WEBHOOKS_SENDER = "off"  # the bench runs the sweep itself, and times it
    call_command("migrate", verbosity=0)


def make_courses(count: int, prefix: str):
    from django.db import transaction

    from catalog import services

    with transaction.atomic():
        return [
            services.course_upsert_tree(
                record={
                    "slug": f"{prefix}-{i}",
                    "title": f"Course {i}",
                    "topic": "Bench",
                    "units": [{"title": "Unit", "modules": [{"title": "Module"}]}],
                }
            ).course
            for i in range(count)
        ]


def publish_each(courses, label: str) -> float:
    """One change per course and transaction: a new title, published."""
    from catalog import services

    started = time.perf_counter()
    for course in courses:
        services.course_update(course=course, title=f"{course.title} {label}", status="published")
    return time.perf_counter() - started


def sweep_all() -> tuple[float, int]:
    from catalog import services
    from catalog.models import WebhookDelivery

    started = time.perf_counter()
    sent = 0
    while WebhookDelivery.objects.filter(status__in=WebhookDelivery.UNFINISHED).exists():
        sent += services.deliveries_send_due()
    return time.perf_counter() - started, sent


def floor(receiver, changes: int, concurrency: int) -> dict:
    from catalog.services.changes import webhook_http

    payload = '{"id":1,"kind":"published","slug":"bench","release":1,"at":"2026-01-01T00:00:00Z","course":null}'
    items = [(i, i, payload) for i in range(changes)]
    started = time.perf_counter()
    results = webhook_http.send_all(
        receiver.url, receiver.secret, items, allow_private=True, timeout=10, concurrency=concurrency
    )
    seconds = time.perf_counter() - started
    assert len(results) == changes and all(r.ok for r in results.values())
    return {"name": f"floor: {changes} signed POSTs, no database", "seconds": seconds, "count": changes}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    per_course = 10

    recreate_database(DB)
    setup_django()
    from django.conf import settings

    from catalog import services
    from tests.helpers.webhook_receiver import Receiver

    settings.WEBHOOKS_CONCURRENCY = args.concurrency
    sending, writing = [], []
    with Receiver() as receiver:
        sending.append(floor(receiver, args.changes, args.concurrency))
        receiver.received.clear()

        # Three like sets of drafts, each published once (one transaction per change): before the
        # endpoint exists, with it, and with it switched off again (so the order of the runs cancels out).
        before, courses, after = (make_courses(args.changes, name) for name in ("before", "one", "after"))
        analyze()
        plain = publish_each(before, "(no endpoint)")
        endpoint = services.endpoint_add(url=receiver.url, secret=receiver.secret)
        outbox = publish_each(courses, "(outbox)")
        services.endpoint_update(endpoint=endpoint, active=False)
        plain = (plain + publish_each(after, "(endpoint off)")) / 2
        services.endpoint_update(endpoint=endpoint, active=True)
        writing.append({"name": "without an endpoint (mean of before and after)", "seconds": plain})
        writing.append({"name": "with one endpoint (+ 1 outbox row each)", "seconds": outbox})

        seconds, sent = sweep_all()
        sending.append({"name": f"deliver {sent}: 1 change per course", "seconds": seconds, "count": sent})
        few = make_courses(args.changes // per_course, "ten")
        for round_ in range(per_course):
            publish_each(few, f"v{round_}")
        seconds, sent = sweep_all()
        name = f"deliver {sent}: {per_course} per course, in order"
        sending.append({"name": name, "seconds": seconds, "count": sent})

        assert all(r.verified for r in receiver.received)
        ids = {}
        for request in receiver.received:
            body = request.json
            assert body["id"] > ids.get(body["slug"], 0), f"out of order for {body['slug']}"
            ids[body["slug"]] = body["id"]

    for row in sending:
        row["rate"] = row["count"] / row["seconds"]
        row["ratio"] = row["rate"] / sending[0]["rate"]
    for row in writing:
        row["ms"] = row["seconds"] * 1000 / args.changes
        row["ratio"] = row["seconds"] / writing[0]["seconds"]
    print()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}; PostgreSQL on loopback; {args.concurrency} requests at once per endpoint"
    )
    print()
    print(
        table(
            sending,
            [
                ("sending", "name"),
                ("seconds", "{seconds:.2f}"),
                ("per second", "{rate:.0f}"),
                ("ratio to floor", "{ratio:.2f}"),
            ],
        )
    )
    print()
    print(
        table(
            writing,
            [
                (f"writing {args.changes} changes", "name"),
                ("seconds", "{seconds:.1f}"),
                ("ms per change", "{ms:.1f}"),
                ("ratio", "{ratio:.2f}"),
            ],
        )
    )


def analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


if __name__ == "__main__":
    main()
