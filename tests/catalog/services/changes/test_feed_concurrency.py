"""The change feed's promise under concurrency: a follower polling while eight writers commit in any order
misses nothing, reads nothing twice, and ends with exactly what learners see."""

import contextlib
import random
import threading
import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from catalog import services
from catalog.errors import CatalogError
from catalog.models import Course, FeedEntry
from tests.factories import CourseFactory, tree
from tests.helpers.api import apply_feed as apply

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

FEED = "/api/v1/changes/"
WRITERS = 8
COURSES_PER_WRITER = 3
OPERATIONS_PER_WRITER = 15


def learners_see() -> dict:
    body = APIClient().get("/api/v1/courses/", {"page_size": 100}).json()
    assert body["next"] is None
    return {course["slug"]: course for course in body["results"]}


def drain(client, cursor, entries):
    while True:
        body = client.get(FEED, {"cursor": cursor, "limit": 7} if cursor else {"limit": 7}).json()
        entries += body["results"]
        cursor = body["next"]
        if not body["has_more"]:
            return cursor


def operate(number: int, step: int, slugs: list, i: int, operation: str) -> None:
    course = Course.objects.filter(slug=slugs[i]).first()
    if course is None:  # deleted earlier: a new course takes its place
        CourseFactory(slug=slugs[i], status="published", units=tree(1))
    elif operation == "publish":
        if course.status == "archived":
            services.course_restore(course=course)
        services.course_update(course=course, title=f"{slugs[i]} step {step}", status="published")
    elif operation == "unpublish" and course.status == "published":
        services.course_unpublish(course=course)
    elif operation == "archive" and course.status != "archived":
        services.course_archive(course=course)
    elif operation == "rename":
        # The slug is part of the release: a published course's rename reaches learners with its publish.
        publish = {"status": "published"} if course.status == "published" else {}
        services.course_update(course=course, slug=f"w{number}-c{i}-s{step}", **publish)
        slugs[i] = f"w{number}-c{i}-s{step}"
    elif operation == "delete":
        services.course_delete(course=course)


def writer(number: int, errors: list):
    rng = random.Random(number)
    slugs = [f"w{number}-c{i}" for i in range(COURSES_PER_WRITER)]
    try:
        for step in range(OPERATIONS_PER_WRITER):
            i = rng.randrange(len(slugs))
            operation = rng.choice(["publish", "publish", "unpublish", "rename", "delete", "archive"])
            with contextlib.suppress(CatalogError):  # a move the workflow refuses changes nothing
                operate(number, step, slugs, i, operation)
    except Exception as exc:  # noqa: BLE001 - reported by the test, in its thread's words (a deadlock, say)
        errors.append(f"writer {number}: {exc!r}")
    finally:
        connection.close()


def test_a_follower_misses_nothing_while_eight_writers_commit_in_any_order():
    for number in range(WRITERS):
        for i in range(COURSES_PER_WRITER):
            CourseFactory(slug=f"w{number}-c{i}", status="published", units=tree(1))
    follower = APIClient()
    state_entries = []
    cursor = drain(follower, None, state_entries)
    state = apply({}, state_entries)
    assert state == learners_see()
    start = FeedEntry.objects.order_by("-id").values_list("id", flat=True).first()

    changes, errors, done = [], [], threading.Event()

    def follow():
        nonlocal cursor
        try:
            while not done.is_set():
                cursor = drain(follower, cursor, changes)
                time.sleep(0.002)
        finally:
            connection.close()

    polling = threading.Thread(target=follow)
    writers = [threading.Thread(target=writer, args=(n, errors)) for n in range(WRITERS)]
    polling.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(120)
    done.set()
    polling.join(30)
    assert not errors, errors
    cursor = drain(follower, cursor, changes)  # what committed after its last poll

    # Exactly the entries that were appended, each once, in the order of their ids (= commit order).
    appended = list(FeedEntry.objects.filter(id__gt=start).order_by("id").values_list("slug", "kind", "release"))
    assert len(appended) > WRITERS * OPERATIONS_PER_WRITER // 2
    assert [(e["slug"], e["kind"], e["release"]) for e in changes] == appended
    # And the follower's copy is what learners see.
    assert apply(state, changes) == learners_see()
    assert {kind for _, kind, _ in appended} == {"published", "removed"}
