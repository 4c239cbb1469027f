"""import_courses and releases: "status": "published" makes the record live, without it the working
copy changes alone; identical data changes nothing; the summary counts unpublished changes."""

import re

import pytest
from rest_framework.test import APIClient

from catalog import cache, services
from catalog.models import Course, CourseTransition, Release
from tests.factories import CourseFactory
from tests.helpers.commands import course, run_import, snapshot, summary, write_json, write_jsonl
from tests.helpers.releasing import course_url, document_rows, learner_detail, outline, release, tree_rows

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Writes inside it run their on-commit work (the cache invalidation), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def numbers(slug="intro-to-sql") -> list[int]:
    return list(Release.objects.filter(course__slug=slug).order_by("number").values_list("number", flat=True))


def imported(tmp_path, *records, name="courses.json", whole=False):
    code, out, err = run_import(write_json(tmp_path, list(records), name=name))
    assert code == 0, err
    return out if whole else summary(out)


def without_status(record):
    return {k: v for k, v in record.items() if k != "status"}


def renamed(record, title="SELECT, explained"):
    changed = {**record, "units": [dict(u) for u in record["units"]]}
    modules = [{"title": title, "content": "New text."}, {"title": "WHERE"}]
    changed["units"][0] = {**changed["units"][0], "modules": modules}
    return changed


def editors_state(editor_api, slug="intro-to-sql") -> tuple:
    body = editor_api.get(course_url(slug)).json()
    return body["live_release"], body["has_unpublished_changes"]


class TestPublishedInTheRecord:
    def test_a_new_course_goes_live_as_release_1(self, tmp_path, api):
        assert imported(tmp_path, course()) == "created 1, updated 0, unchanged 0, failed 0"
        assert numbers() == [1]
        seen = learner_detail(api, "intro-to-sql")
        assert outline(seen) == [("Basics", ["SELECT", "WHERE"]), ("Joins", ["INNER JOIN"])]

    def test_changed_content_makes_a_new_release_that_learners_see(self, tmp_path, api, editor_api, committed):
        imported(tmp_path, course())
        first = learner_detail(api, "intro-to-sql")
        with committed():
            line = imported(tmp_path, renamed(course()), name="second.json")
        assert line == "created 0, updated 1, unchanged 0, failed 0"
        assert numbers() == [1, 2]
        seen = learner_detail(api, "intro-to-sql")
        assert outline(seen)[0] == ("Basics", ["SELECT, explained", "WHERE"])
        assert seen["published_at"] > first["published_at"]
        sql = Course.objects.get(slug="intro-to-sql")
        assert document_rows(release(sql, 2).document) == tree_rows(sql)
        assert editors_state(editor_api) == (2, False)
        assert CourseTransition.objects.filter(course=sql, action="publish").count() == 2

    def test_it_publishes_changes_that_editors_left_waiting(self, tmp_path, api, editor_api):
        imported(tmp_path, course())
        sql = Course.objects.get(slug="intro-to-sql")
        services.course_update(course=sql, title="Edited in the admin")
        line = imported(tmp_path, course(title="Edited in the admin"), name="same-as-working.json")
        assert line == "created 0, updated 1, unchanged 0, failed 0"
        assert numbers() == [1, 2]
        assert learner_detail(api, "intro-to-sql")["title"] == "Edited in the admin"
        assert document_rows(release(sql, 2).document) == tree_rows(sql)
        assert editors_state(editor_api) == (2, False)
        assert editor_api.post(course_url("intro-to-sql") + "publish/").status_code == 200
        assert numbers() == [1, 2]  # nothing was left waiting

    def test_cancelling_a_scheduled_publish_numbers_the_release_like_every_other_path(self, tmp_path, editor_api):
        import datetime as dt

        from django.utils import timezone

        imported(tmp_path, course("patched"), course("put"), course("imported"))
        for slug in ("patched", "put", "imported"):
            each = Course.objects.get(slug=slug)
            services.course_update(course=each, title="Scheduled")
            services.course_schedule(course=each, publish_at=timezone.now() + dt.timedelta(hours=1))
            assert numbers(slug) == [1, 2]
        patch = {"title": "Published now", "status": "published"}
        assert editor_api.patch(course_url("patched"), patch, format="json").status_code == 200
        put = renamed(course("put", title="Published now"))
        assert editor_api.put(course_url("put"), put, format="json").status_code == 200
        imported(tmp_path, renamed(course("imported", title="Published now")), name="second.json")
        assert numbers("patched") == [1, 2]
        assert {slug: numbers(slug) for slug in ("put", "imported")} == {"put": [1, 2], "imported": [1, 2]}

    def test_a_record_that_breaks_the_publish_rule_writes_nothing(self, tmp_path, api):
        imported(tmp_path, course())
        before = snapshot()
        broken = course(units=[{"title": "Basics", "modules": [{"title": "SELECT"}]}, {"title": "Empty"}])
        code, out, err = run_import(write_json(tmp_path, [broken], name="broken.json"))
        assert code == 1
        assert "unit 2 'Empty' has no modules" in err
        assert summary(out) == "created 0, updated 0, unchanged 0, failed 1"
        assert snapshot() == before and numbers() == [1]
        assert outline(learner_detail(api, "intro-to-sql"))[1] == ("Joins", ["INNER JOIN"])

    def test_draft_in_the_record_withdraws_the_live_release(self, tmp_path, api):
        imported(tmp_path, course())
        imported(tmp_path, course(status="draft"), name="draft.json")
        assert learner_detail(api, "intro-to-sql") is None
        assert numbers() == [1]
        assert Course.objects.get(slug="intro-to-sql").status == "draft"

    def test_a_dry_run_publishes_nothing(self, tmp_path, api):
        imported(tmp_path, course())
        before = snapshot()
        code, out, _err = run_import("--dry-run", write_json(tmp_path, [renamed(course())], name="dry.json"))
        assert code == 0 and "would update intro-to-sql" in out
        assert snapshot() == before and numbers() == [1]
        assert outline(learner_detail(api, "intro-to-sql"))[0] == ("Basics", ["SELECT", "WHERE"])

    def test_json_lines_too(self, tmp_path, api):
        imported(tmp_path, course())
        code, _out, err = run_import(write_jsonl(tmp_path, [renamed(course(), title="From JSON Lines")]))
        assert code == 0, err
        assert numbers() == [1, 2]
        assert outline(learner_detail(api, "intro-to-sql"))[0][1][0] == "From JSON Lines"


class TestWithoutStatus:
    def test_a_published_course_changes_in_its_working_copy_only(self, tmp_path, api, editor_api, committed):
        imported(tmp_path, course())
        learner_detail(api, "intro-to-sql")  # cached
        with committed():
            line = imported(tmp_path, without_status(renamed(course())), name="second.json")
        assert line.startswith("created 0, updated 1, unchanged 0, failed 0")
        assert numbers() == [1]
        assert outline(learner_detail(api, "intro-to-sql"))[0] == ("Basics", ["SELECT", "WHERE"])
        assert editors_state(editor_api) == (1, True)
        working = editor_api.get(course_url("intro-to-sql")).json()
        assert outline(working)[0] == ("Basics", ["SELECT, explained", "WHERE"])
        assert working["status"] == "published"

    def test_a_draft_stays_a_draft(self, tmp_path, api):
        imported(tmp_path, course(status="draft"))
        imported(tmp_path, without_status(renamed(course())), name="second.json")
        assert numbers() == [] and learner_detail(api, "intro-to-sql") is None

    def test_the_waiting_changes_are_published_by_the_api_afterwards(self, tmp_path, api, editor_api):
        imported(tmp_path, course())
        imported(tmp_path, without_status(renamed(course())), name="second.json")
        assert editor_api.post(course_url("intro-to-sql") + "publish/").status_code == 200
        assert numbers() == [1, 2]
        assert outline(learner_detail(api, "intro-to-sql"))[0] == ("Basics", ["SELECT, explained", "WHERE"])


class TestIdenticalData:
    @pytest.mark.parametrize("status", ["published", None], ids=["published", "no-status"])
    def test_re_importing_changes_nothing_and_invalidates_nothing(
        self, tmp_path, api, django_capture_on_commit_callbacks, status
    ):
        record = course() if status else course(status="published")
        imported(tmp_path, record)
        again = record if status else without_status(record)
        for url in (course_url("intro-to-sql"), "/api/v1/courses/"):
            api.get(url)
            assert api.get(url)["X-Cache"] == "HIT"
        before, transitions, flushes = snapshot(), CourseTransition.objects.count(), cache.invalidation_count()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            assert imported(tmp_path, again, name="again.json") == "created 0, updated 0, unchanged 1, failed 0"
        assert callbacks == []
        assert cache.invalidation_count() == flushes
        assert snapshot() == before  # the same ids and updated_at
        assert numbers() == [1] and CourseTransition.objects.count() == transitions
        for url in (course_url("intro-to-sql"), "/api/v1/courses/"):
            assert api.get(url)["X-Cache"] == "HIT", url

    def test_the_same_working_copy_with_changes_waiting_is_unchanged_without_status(self, tmp_path):
        imported(tmp_path, course())
        waiting = without_status(renamed(course()))
        imported(tmp_path, waiting, name="second.json")
        before = snapshot()
        assert imported(tmp_path, waiting, name="third.json") == "created 0, updated 0, unchanged 1, failed 0"
        assert snapshot() == before and numbers() == [1]

    def test_a_whole_file_costs_one_invalidation(self, tmp_path, django_capture_on_commit_callbacks):
        imported(tmp_path, course("a"), course("b"), course("c"))
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            imported(tmp_path, renamed(course("a")), without_status(renamed(course("b"))), course("c"), name="2.json")
        assert len(callbacks) == 1
        assert (numbers("a"), numbers("b"), numbers("c")) == ([1, 2], [1], [1])


class TestSummary:
    def test_the_summary_says_how_many_courses_have_unpublished_changes(self, tmp_path):
        imported(tmp_path, course("a"), course("b"), course("c"), course("d"))
        out = imported(
            tmp_path,
            without_status(renamed(course("a"))),  # waits: counted
            renamed(course("b")),  # published: not counted
            course("c"),  # unchanged: not counted
            without_status(renamed(course("d"), title="Other")),  # waits: counted
            name="second.json",
            whole=True,
        )
        # The counts stay the last line, exactly; the line before it says what waits, and where.
        *_, said, last = out.strip().splitlines()
        assert last == "created 0, updated 3, unchanged 1, failed 0"
        found = re.search(r"(\d+)\D{0,40}unpublished changes", said)
        assert found and int(found.group(1)) == 2, said
        assert "(a, d)" in said

    def test_the_summary_line_keeps_its_counts(self, tmp_path):
        CourseFactory(slug="a", status="published", units=course()["units"])
        line = imported(tmp_path, without_status(renamed(course("a"))), course("new"))
        assert line.startswith("created 1, updated 1, unchanged 0, failed 0")

    def test_the_api_reports_unpublished_changes_after_an_import(self, tmp_path, editor_api):
        imported(tmp_path, course("a"), course("b"))
        imported(tmp_path, without_status(renamed(course("a"))), renamed(course("b")), name="second.json")
        states = {c["slug"]: c["has_unpublished_changes"] for c in editor_api.get("/api/v1/courses/").json()["results"]}
        assert states == {"a": True, "b": False}
        assert APIClient().get(course_url("a")).json()["units"][0]["modules"][0]["title"] == "SELECT"
