"""Two writers editing one course's tree at the same moment end contiguous (row lock per course)."""

import threading

import pytest
from django.db import connection

from catalog import services
from catalog.models import Course, Unit
from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def run_together(*jobs):
    barrier = threading.Barrier(len(jobs))
    errors = []

    def runner(job):
        try:
            barrier.wait()
            job()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []


def test_concurrent_inserts_and_moves_stay_contiguous():
    course = CourseFactory(units=tree(1, 1, 1, 1))
    units = list(course.units.order_by("order"))
    for i in range(5):
        jobs = [
            lambda: services.unit_create(course=course, title=f"one {i}", position=1),
            lambda: services.unit_create(course=course, title=f"two {i}", position=2),
            lambda: services.unit_move(unit=units[0], position=3),
        ]
        previous = Unit.objects.filter(course=course, title=f"two {i - 1}").first()
        if previous:
            jobs.append(lambda: services.unit_delete(unit=previous))
        run_together(*jobs)
        orders = list(Unit.objects.filter(course=course).order_by("order").values_list("order", flat=True))
        assert orders == list(range(1, len(orders) + 1))
        assert Course.objects.get(pk=course.pk).unit_count == len(orders)


def test_concurrent_upserts_of_one_new_slug_both_succeed():
    record = {"slug": "raced", "title": "Raced", "topic": "x", "units": tree(2)}
    run_together(*(lambda: services.course_upsert_tree(record=record) for _ in range(3)))
    assert Course.objects.filter(slug="raced").count() == 1
    assert list(Unit.objects.filter(course__slug="raced").values_list("order", flat=True).order_by("order")) == [1]
