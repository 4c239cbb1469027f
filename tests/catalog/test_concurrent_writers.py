"""Concurrent writers through the API: the end state is one of the serial outcomes, never a mix."""
import threading

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from catalog.models import Course, Module, Unit
from tests.factories import CourseFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def record(order):
    return {
        "title": "Raced course", "topic": "Testing", "status": "published",
        "units": [{"title": name, "modules": [{"title": f"{name}.{i}"} for i in range(1, 4)]} for name in order],
    }


def tree_state(slug):
    units = list(Unit.objects.filter(course__slug=slug).order_by("order").values_list("order", "title"))
    modules = list(
        Module.objects.filter(unit__course__slug=slug).order_by("unit__order", "order").values_list("unit__title", "order", "title")
    )
    return units, modules


def run_together(jobs):
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            results[i] = job()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def client_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_two_clients_reordering_one_course_end_in_one_serial_outcome(editor):
    orders = [list("ABCD"), list("DCBA"), list("BDAC")]
    CourseFactory(slug="raced", **{k: v for k, v in record(orders[0]).items()})
    expected = {}
    for order in orders:  # what each writer alone would leave behind
        client_for(editor).put("/api/v1/courses/raced/", record(order), format="json")
        expected[tuple(order)] = tree_state("raced")

    reader = APIClient()
    for _ in range(5):
        responses = run_together([
            lambda order=order: client_for(editor).put("/api/v1/courses/raced/", record(order), format="json")
            for order in orders
        ])
        assert [r.status_code for r in responses] == [200, 200, 200]
        state = tree_state("raced")
        assert state in expected.values()
        # The cache agrees with the database after the race.
        body = reader.get("/api/v1/courses/raced/").json()
        assert [(u["order"], u["title"]) for u in body["units"]] == state[0]
        course = Course.objects.get(slug="raced")
        assert (course.unit_count, course.module_count) == (4, 12)


def test_stale_if_match_loses_instead_of_overwriting(editor):
    CourseFactory(slug="guarded", **record(list("AB")))
    client = client_for(editor)
    etag = client.get("/api/v1/courses/guarded/")["ETag"]
    first = client.patch("/api/v1/courses/guarded/", {"title": "First editor"}, format="json", HTTP_IF_MATCH=etag)
    second = client.patch("/api/v1/courses/guarded/", {"title": "Second editor"}, format="json", HTTP_IF_MATCH=etag)
    assert (first.status_code, second.status_code) == (200, 412)
    assert Course.objects.get(slug="guarded").title == "First editor"


def test_concurrent_transitions_record_each_move_once(editor):
    course = CourseFactory(slug="flip", **record(list("AB")))
    responses = run_together([
        lambda: client_for(editor).post("/api/v1/courses/flip/unpublish/"),
        lambda: client_for(editor).post("/api/v1/courses/flip/unpublish/"),
    ])
    assert sorted(r.status_code for r in responses) == [200, 409]
    assert course.transitions.filter(to_status="draft").count() == 1
