"""Concurrent writers through the API: the end state is one of the serial outcomes, never a mix."""

import threading

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from catalog.models import Course, Module, Unit
from tests.factories import CourseFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def record(order):
    return {
        "title": "Raced course",
        "topic": "Testing",
        "status": "published",
        "units": [{"title": name, "modules": [{"title": f"{name}.{i}"} for i in range(1, 4)]} for name in order],
    }


def tree_state(slug):
    units = list(Unit.objects.filter(course__slug=slug).order_by("order").values_list("order", "title"))
    modules = list(
        Module.objects.filter(unit__course__slug=slug)
        .order_by("unit__order", "order")
        .values_list("unit__title", "order", "title")
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
        responses = run_together(
            [
                lambda order=order: client_for(editor).put("/api/v1/courses/raced/", record(order), format="json")
                for order in orders
            ]
        )
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
    responses = run_together(
        [
            lambda: client_for(editor).post("/api/v1/courses/flip/unpublish/"),
            lambda: client_for(editor).post("/api/v1/courses/flip/unpublish/"),
        ]
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    assert course.transitions.filter(to_status="draft").count() == 1


def import_record(slug, variant):
    return {
        "slug": slug,
        "title": f"{slug} from {variant}",
        "topic": "Overlap",
        "status": "published",
        "units": [
            {"title": f"{variant} unit {u}", "modules": [{"title": f"{variant} {u}.{m}"} for m in range(1, 3)]}
            for u in range(1, 4 if variant == "A" else 3)
        ],
    }


def run_import(path):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    err = io.StringIO()
    try:
        call_command("import_courses", str(path), stdout=io.StringIO(), stderr=err)
    except CommandError as exc:
        return f"{exc}\n{err.getvalue()}"
    return "ok"


def test_two_imports_of_overlapping_files_end_in_one_serial_outcome(tmp_path):
    import json

    # ov-2 and ov-3 exist already; ov-5 is new in both files (both try to create it); the second
    # file lists the shared courses in the opposite order, to invite a deadlock.
    CourseFactory(slug="ov-2", **{k: v for k, v in import_record("ov-2", "old").items() if k != "slug"})
    CourseFactory(slug="ov-3", **{k: v for k, v in import_record("ov-3", "old").items() if k != "slug"})
    shared = ["ov-2", "ov-3", "ov-5"]
    reader = APIClient()
    for round_ in range(4):
        first, second = tmp_path / f"a{round_}.json", tmp_path / f"b{round_}.json"
        first.write_text(json.dumps([import_record(s, "A") for s in ["ov-1", *shared]]))
        second.write_text(json.dumps([import_record(s, "B") for s in [*shared[::-1], "ov-4"]]))
        if round_ % 2:
            first, second = second, first

        assert run_together([lambda: run_import(first), lambda: run_import(second)]) == ["ok", "ok"]

        winners = {Course.objects.get(slug=s).title.rsplit(" ", 1)[1] for s in shared}
        assert len(winners) == 1, f"a mix of both files: {winners}"
        variant = winners.pop()
        for slug in [*shared, "ov-1", "ov-4"]:
            units, modules = tree_state(slug)
            expected = import_record(slug, "A" if slug == "ov-1" else "B" if slug == "ov-4" else variant)
            assert units == [(i, u["title"]) for i, u in enumerate(expected["units"], start=1)]
            assert modules == [
                (u["title"], j, m["title"]) for u in expected["units"] for j, m in enumerate(u["modules"], start=1)
            ]
            body = reader.get(f"/api/v1/courses/{slug}/").json()  # the cache agrees with the database
            assert [(u["order"], u["title"]) for u in body["units"]] == units
        # The five courses exist exactly once each.
        assert Course.objects.filter(topic="overlap").count() == 5


def test_an_admin_save_racing_an_api_put_never_overwrites_the_put(editor):
    from django.test import Client

    from tests.helpers.admin import course_form, messages_of

    course = CourseFactory(slug="contested", **record(list("ABC")))
    put_record = {**record(list("CAB")), "title": "Title from the API"}
    admin = Client()
    admin.force_login(editor)
    api_client = client_for(editor)
    reader = APIClient()
    for round_ in range(6):
        units = list(Unit.objects.filter(course=course).order_by("order"))
        # The editor opened the page, renamed the course and dragged the last unit to the top.
        form = course_form(
            course,
            [(u, f"{u.title} (admin {round_})", (i + 1) % len(units) + 1, False) for i, u in enumerate(units)],
            title=f"Title from the admin {round_}",
        )
        admin_response, put_response = run_together(
            [
                lambda: admin.post(f"/admin/catalog/course/{course.pk}/change/", form),
                lambda: api_client.put("/api/v1/courses/contested/", put_record, format="json"),
            ]
        )
        assert put_response.status_code == 200
        fresh = Course.objects.get(pk=course.pk)
        units_now, modules_now = tree_state("contested")
        if admin_response.status_code == 302:
            # The admin's save went first (its success message), and the PUT after it.
            assert all("was changed successfully" in m for m in messages_of(admin_response))
        else:
            assert admin_response.status_code == 200 and b"Someone else changed this course" in admin_response.content
        # Either way the PUT came last or won: the state is exactly the PUT's record.
        assert fresh.title == "Title from the API"
        assert [t for _, t in units_now] == ["C", "A", "B"]
        assert [o for o, _ in units_now] == [1, 2, 3]
        assert [(u, o) for u, o, _ in modules_now] == [(u, o) for u in "CAB" for o in (1, 2, 3)]
        assert reader.get("/api/v1/courses/contested/").json()["title"] == "Title from the API"
        assert (fresh.unit_count, fresh.module_count) == (3, 9)
        # Put the course back to a different state so the next round races a real change.
        api_client.put("/api/v1/courses/contested/", {**record(list("ABC")), "title": f"Reset {round_}"}, format="json")


def _race_a_page_with_a_put(editor, url_and_form):
    """Six rounds of an admin page save racing an API PUT of the whole course: the PUT always stands."""
    from django.test import Client

    course = CourseFactory(slug="contested", **record(list("ABC")))
    put_record = {**record(list("CAB")), "title": "Title from the API"}
    admin = Client()
    admin.force_login(editor)
    api_client = client_for(editor)
    for round_ in range(6):
        url, form = url_and_form(course, round_)
        saves_logged = LogEntry.objects.count()
        admin_response, put_response = run_together(
            [
                lambda: admin.post(url, form),
                lambda: api_client.put("/api/v1/courses/contested/", put_record, format="json"),
            ]
        )
        assert put_response.status_code == 200
        if admin_response.status_code == 302:
            # The admin's save went first and stands in the history; the PUT came after it.
            assert LogEntry.objects.count() > saves_logged
        else:
            assert admin_response.status_code == 200 and b"Someone else changed this course" in admin_response.content
            assert LogEntry.objects.count() == saves_logged  # refused: nothing saved, nothing logged
        units_now, modules_now = tree_state("contested")
        assert [t for _, t in units_now] == ["C", "A", "B"]
        assert modules_now == [(u, o, f"{u}.{o}") for u in "CAB" for o in (1, 2, 3)]
        assert not Module.objects.filter(unit__course=course).exclude(content="").exists()
        api_client.put("/api/v1/courses/contested/", {**record(list("ABC")), "title": f"Reset {round_}"}, format="json")


def test_a_unit_page_save_racing_an_api_put_never_overwrites_the_put(editor):
    from tests.helpers.admin import unit_form

    def url_and_form(course, round_):
        unit = Unit.objects.get(course=course, title="A")
        modules = list(unit.modules.order_by("order"))
        # The editor renamed the unit and its modules and dragged the last module to the top.
        rows = [(m, f"{m.title} (admin {round_})", (i + 1) % 3 + 1, False) for i, m in enumerate(modules)]
        return f"/admin/catalog/unit/{unit.pk}/change/", unit_form(unit, rows, title=f"A (admin {round_})")

    _race_a_page_with_a_put(editor, url_and_form)


def test_a_module_page_save_racing_an_api_put_never_overwrites_the_put(editor):
    from tests.helpers.admin import opened_at

    def url_and_form(course, round_):
        module = Module.objects.get(unit__course=course, title="B.2")
        form = {"title": f"B.2 (admin {round_})", "content": "The admin's text.", "opened_at": opened_at(course.pk)}
        return f"/admin/catalog/module/{module.pk}/change/", form

    _race_a_page_with_a_put(editor, url_and_form)


def test_big_overlapping_imports_that_deadlock_are_imported_again(tmp_path, monkeypatch):
    import json

    from catalog.files import importing

    # Chunks of two records: each file locks its first chunk's courses, then wants the other's.
    monkeypatch.setattr(importing, "CHUNK", 2)
    xs, ys = ["dl-x1", "dl-x2"], ["dl-y1", "dl-y2"]
    for round_ in range(3):
        first, second = tmp_path / f"a{round_}.json", tmp_path / f"b{round_}.json"
        first.write_text(json.dumps([import_record(s, "A") for s in xs + ys]))
        second.write_text(json.dumps([import_record(s, "B") for s in ys + xs]))

        assert run_together([lambda: run_import(first), lambda: run_import(second)]) == ["ok", "ok"]

        winners = {Course.objects.get(slug=s).title.rsplit(" ", 1)[1] for s in xs + ys}
        assert len(winners) == 1, f"a mix of both files: {winners}"
