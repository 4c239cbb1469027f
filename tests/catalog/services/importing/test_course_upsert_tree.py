import pytest

from catalog import services
from catalog.domain.records import clean_record
from catalog.errors import CatalogBatchError, CatalogValidationError, InvalidTransitionError
from catalog.models import Course, Module, Unit
from tests.factories import tree

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.embedded]


def record(**overrides):
    base = {
        "slug": "intro-to-sql",
        "title": "Intro to SQL",
        "description": "Learn SQL.",
        "topic": "Databases",
        "units": [
            {"title": "Basics", "modules": [{"title": "SELECT", "content": "s"}, {"title": "WHERE"}]},
            {"title": "Joins", "modules": [{"title": "INNER JOIN"}]},
        ],
    }
    return {**base, **overrides}


def snapshot():
    course = Course.objects.get(slug="intro-to-sql")
    units = list(Unit.objects.filter(course=course).order_by("order").values_list("id", "title", "order", "updated_at"))
    modules = list(
        Module.objects.filter(unit__course=course)
        .order_by("unit__order", "order")
        .values_list("id", "title", "order", "content", "updated_at")
    )
    return course.id, course.updated_at, units, modules


class TestCourseUpsertTree:
    def test_creates_course_and_tree_in_order(self):
        result = services.course_upsert_tree(record=record())
        assert result.outcome == "created"
        course = Course.objects.get(slug="intro-to-sql")
        assert (course.status, course.topic, course.unit_count, course.module_count) == ("draft", "databases", 2, 3)
        assert list(course.units.values_list("order", "title")) == [(1, "Basics"), (2, "Joins")]

    def test_identical_record_changes_nothing(self, django_capture_on_commit_callbacks):
        services.course_upsert_tree(record=record())
        before = snapshot()
        with django_capture_on_commit_callbacks() as callbacks:
            result = services.course_upsert_tree(record=record())
        assert result.outcome == "unchanged"
        assert result.changes == []
        assert snapshot() == before
        assert callbacks == []  # nothing to invalidate

    def test_reorder_keeps_ids_and_reports_the_move(self):
        services.course_upsert_tree(record=record())
        ids = dict(Unit.objects.values_list("title", "id"))
        swapped = record(units=list(reversed(record()["units"])))
        result = services.course_upsert_tree(record=swapped)
        assert result.outcome == "updated"
        assert "units[0] moved from 2 to 1" in map(str, result.changes)
        assert list(Unit.objects.order_by("order").values_list("title", "id")) == [
            ("Joins", ids["Joins"]),
            ("Basics", ids["Basics"]),
        ]

    def test_rename_keeps_the_unit_and_bumps_updated_at(self):
        services.course_upsert_tree(record=record())
        _, updated_before, units_before, _ = snapshot()
        changed = record()
        changed["units"][1]["title"] = "Joining tables"
        services.course_upsert_tree(record=changed)
        _, updated_after, units_after, _ = snapshot()
        assert units_after[1][0] == units_before[1][0]
        assert units_after[1][1] == "Joining tables"
        assert updated_after > updated_before

    def test_removed_and_added_items_leave_order_contiguous(self):
        services.course_upsert_tree(record=record())
        changed = record(units=[{"title": "New first", "modules": [{"title": "x"}]}, record()["units"][1]])
        result = services.course_upsert_tree(record=changed)
        changes = [str(change) for change in result.changes]
        assert "units: 'Basics' removed" in changes or "units[0].title" in changes
        assert list(Unit.objects.order_by("order").values_list("order", "title")) == [(1, "New first"), (2, "Joins")]
        assert Course.objects.get().module_count == 2

    def test_status_is_reached_through_the_workflow(self):
        result = services.course_upsert_tree(record=record(status="published"))
        course = Course.objects.get(pk=result.course.pk)
        assert course.status == "published" and course.published_at is not None
        assert list(course.transitions.values_list("from_status", "to_status")) == [("draft", "published")]

    def test_status_absent_leaves_an_existing_course_unchanged(self):
        services.course_upsert_tree(record=record(status="archived"))
        services.course_upsert_tree(record=record(title="New title"))
        assert Course.objects.get().status == "archived"

    def test_publishing_an_empty_course_is_refused_and_writes_nothing(self):
        with pytest.raises(InvalidTransitionError, match="has no units"):
            services.course_upsert_tree(record=record(status="published", units=[]))
        assert not Course.objects.exists()

    def test_archived_to_published_is_not_a_move(self):
        services.course_upsert_tree(record=record(status="archived"))
        with pytest.raises(InvalidTransitionError, match="archived to published"):
            services.course_upsert_tree(record=record(status="published"))
        assert Course.objects.get().status == "archived"

    def test_invalid_record_names_each_field_path(self):
        bad = record(slug="Bad Slug", extra=1)
        bad["units"][1]["modules"][0] = {"titel": "typo"}
        with pytest.raises(CatalogValidationError) as excinfo:
            services.course_upsert_tree(record=bad)
        errors = excinfo.value.errors
        assert set(errors) >= {"slug", "extra", "units[1].modules[0].title", "units[1].modules[0].titel"}
        assert not Course.objects.exists()

    def test_wrong_types_are_refused(self):
        with pytest.raises(CatalogValidationError) as excinfo:
            clean_record(record(title=12, units="none"))
        assert set(excinfo.value.errors) == {"title", "units"}


class TestCoursesUpsertBatch:
    def test_one_bad_record_writes_nothing(self):
        records = [clean_record(record(slug=f"c-{i}", status="published")) for i in range(3)]
        records[2]["units"] = []
        with pytest.raises(CatalogBatchError) as excinfo:
            services.courses_upsert(records=records)
        assert list(excinfo.value.failures) == [2]
        assert not Course.objects.exists()

    def test_duplicate_slug_in_a_batch_is_an_error(self):
        records = [clean_record(record()), clean_record(record())]
        with pytest.raises(CatalogBatchError) as excinfo:
            services.courses_upsert(records=records)
        assert list(excinfo.value.failures) == [1]

    def test_dry_run_reports_and_writes_nothing(self):
        services.course_upsert_tree(record=record())
        before = snapshot()
        results = services.courses_upsert(
            records=[clean_record(record(title="Other")), clean_record(record(slug="new-one"))], dry_run=True
        )
        assert [(r.outcome, [str(c) for c in r.changes]) for r in results] == [("updated", ["title"]), ("created", [])]
        assert snapshot() == before
        assert not Course.objects.filter(slug="new-one").exists()

    def test_a_batch_invalidates_once_after_commit(self, django_capture_on_commit_callbacks):
        records = [clean_record(record(slug=f"c-{i}", units=tree(2, 1), status="published")) for i in range(5)]
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.courses_upsert(records=records)
        assert len(callbacks) == 1
        assert callbacks[0].slugs == {f"c-{i}" for i in range(5)}
