"""Editors' writes: POST, PUT (the import record), PATCH, DELETE and the workflow transitions."""

import json

import pytest
from django.core.management import call_command

from catalog.models import Course, CourseTransition, Module, Unit
from tests.factories import CourseFactory, tree
from tests.helpers.api import (
    EDITOR_KEYS,
    LIST,
    assert_json_error,
    catalog_state,
    detail,
    record,
)

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def target():
    return CourseFactory(slug="target", title="Target", topic="Testing", units=tree(2, 1))


def tree_of(slug):
    """[(unit title, order, [(module title, order, content), …]), …] as stored."""
    return [
        (u.title, u.order, [(m.title, m.order, m.content) for m in u.modules.order_by("order")])
        for u in Unit.objects.filter(course__slug=slug).order_by("order")
    ]


class TestCourseCreate:
    def test_creates_a_draft_with_its_tree(self, editor_api):
        body = {"slug": "intro-to-sql", **record(topic="  Data Bases ")}
        body["units"][0]["modules"][0]["content"] = "SELECT * FROM t;"
        response = editor_api.post(LIST, body, format="json")
        assert response.status_code == 201
        assert response["Location"] == "http://127.0.0.1/api/v1/courses/intro-to-sql/"
        created = response.json()
        assert set(created) == EDITOR_KEYS | {"units"}
        assert (created["slug"], created["title"], created["topic"], created["status"], created["published_at"]) == (
            "intro-to-sql",
            "Intro to SQL",
            "data-bases",
            "draft",
            None,
        )
        assert (created["unit_count"], created["module_count"]) == (1, 2)
        assert [(m["title"], m["order"]) for m in created["units"][0]["modules"]] == [("SELECT", 1), ("WHERE", 2)]
        assert tree_of("intro-to-sql") == [("Basics", 1, [("SELECT", 1, "SELECT * FROM t;"), ("WHERE", 2, "")])]
        assert editor_api.get(detail("intro-to-sql")).json() == created

    def test_without_a_tree(self, editor_api):
        response = editor_api.post(LIST, {"slug": "bare", "title": "Bare", "topic": "t"}, format="json")
        assert response.status_code == 201
        assert (response.json()["units"], response.json()["description"]) == ([], "")

    def test_status_draft_in_the_body_is_fine(self, editor_api):
        response = editor_api.post(LIST, {"slug": "s", "status": "draft", **record()}, format="json")
        assert response.status_code == 201 and response.json()["status"] == "draft"

    @pytest.mark.parametrize("status", ["published", "archived"])
    def test_any_other_status_in_the_body_is_ignored(self, editor_api, status):
        response = editor_api.post(LIST, {"slug": "s", "status": status, **record()}, format="json")
        assert response.status_code == 201
        assert response.json()["status"] == "draft"
        assert Course.objects.get(slug="s").status == "draft"
        assert CourseTransition.objects.count() == 0

    def test_a_duplicate_slug_is_400_and_nothing_changes(self, editor_api, target):
        before = catalog_state()
        body = assert_json_error(editor_api.post(LIST, {"slug": "target", **record()}, format="json"), 400, "slug")
        assert "already exists" in body["slug"][0]
        assert catalog_state() == before

    def test_unknown_keys_are_400_naming_them(self, editor_api):
        body = {"slug": "x", "colour": "red", **record()}
        body["units"][0]["shape"] = "round"
        body["units"][0]["modules"][1]["lenght"] = 3
        errors = assert_json_error(
            editor_api.post(LIST, body, format="json"), 400, "colour", "units[0].shape", "units[0].modules[1].lenght"
        )
        assert "Unknown field" in errors["colour"][0]
        for read_only in ("id", "unit_count", "created_at", "published_at"):
            assert_json_error(
                editor_api.post(LIST, {"slug": "x", read_only: 1, **record()}, format="json"), 400, read_only
            )
        assert not Course.objects.exists()

    def test_missing_and_bad_fields_are_400_naming_them(self, editor_api):
        assert_json_error(editor_api.post(LIST, {}, format="json"), 400, "slug", "title", "topic")
        for bad in [
            {"slug": "Bad Slug"},
            {"slug": "a" * 101},
            {"slug": 5},
            {"slug": ""},
            {"title": ""},
            {"title": "t" * 201},
            {"title": 5},
            {"title": None},
            {"topic": "!!!"},
            {"topic": ["a"]},
            {"description": None},
            {"units": "abc"},
            {"units": [None]},
            {"units": [{"modules": []}]},
        ]:
            (name,) = bad
            body = {"slug": "ok", "title": "T", "topic": "t", **bad}
            errors = assert_json_error(editor_api.post(LIST, body, format="json"), 400)
            assert any(key.startswith(name) for key in errors), (bad, errors)
        assert not Course.objects.exists()


class TestCoursePut:
    def test_creates_201_then_updates_200(self, editor_api):
        response = editor_api.put(detail("intro-to-sql"), record(), format="json")
        assert response.status_code == 201
        assert (response.json()["slug"], response.json()["status"]) == ("intro-to-sql", "draft")
        response = editor_api.put(detail("intro-to-sql"), record(title="Intro to SQL, 2nd ed."), format="json")
        assert response.status_code == 200 and response.json()["title"] == "Intro to SQL, 2nd ed."
        assert Course.objects.count() == 1

    def test_makes_the_tree_exactly_as_sent(self, editor_api, target):
        before = Course.objects.get(slug="target")
        body = record(
            units=[
                {"title": "Unit 2", "modules": [{"title": "Module 2.1", "content": "moved up"}]},
                {"title": "Appendix", "modules": []},
                {"title": "Unit 1", "modules": [{"title": "Module 1.2"}, {"title": "New"}]},
            ]
        )
        response = editor_api.put(detail("target"), body, format="json")
        assert response.status_code == 200
        assert tree_of("target") == [
            ("Unit 2", 1, [("Module 2.1", 1, "moved up")]),
            ("Appendix", 2, []),
            ("Unit 1", 3, [("Module 1.2", 1, ""), ("New", 2, "")]),
        ]
        after = Course.objects.get(slug="target")
        assert (after.pk, after.title, after.topic, after.description) == (
            before.pk,
            "Intro to SQL",
            "databases",
            "Learn SQL.",
        )
        assert after.updated_at > before.updated_at
        assert (after.unit_count, after.module_count) == (3, 3)
        assert response.json() == editor_api.get(detail("target")).json()

    def test_what_is_left_out_is_reset(self, editor_api, target):
        response = editor_api.put(detail("target"), {"title": "Only", "topic": "t"}, format="json")
        assert response.status_code == 200
        assert (response.json()["description"], response.json()["units"]) == ("", [])
        assert not Unit.objects.exists() and not Module.objects.exists()

    def test_an_identical_put_changes_nothing(self, editor_api):
        assert editor_api.put(detail("same"), record(status="published"), format="json").status_code == 201
        before = catalog_state()
        response = editor_api.put(detail("same"), record(status="published"), format="json")
        assert response.status_code == 200
        assert catalog_state() == before  # same ids, same updated_at, no transition
        response = editor_api.put(detail("same"), {"slug": "same", **record()}, format="json")  # status: unchanged
        assert response.status_code == 200 and response.json()["status"] == "published"
        assert catalog_state() == before

    def test_same_meaning_as_a_record_of_the_import(self, editor_api, tmp_path, capsys):
        body = record(status="published")
        assert editor_api.put(detail("intro-to-sql"), body, format="json").status_code == 201
        path = tmp_path / "courses.json"
        path.write_text(json.dumps([{"slug": "intro-to-sql", **body}]))
        capsys.readouterr()
        call_command("import_courses", str(path))
        assert "created 0, updated 0, unchanged 1, failed 0" in capsys.readouterr().out

    def test_a_slug_in_the_body_must_be_the_one_in_the_url(self, editor_api, target):
        before = catalog_state()
        assert_json_error(editor_api.put(detail("target"), {"slug": "other", **record()}, format="json"), 400, "slug")
        assert_json_error(editor_api.put(detail("fresh"), {"slug": "target", **record()}, format="json"), 400, "slug")
        assert catalog_state() == before
        assert editor_api.put(detail("target"), {"slug": "target", **record()}, format="json").status_code == 200

    def test_unknown_keys_are_400_naming_them(self, editor_api, target):
        before = catalog_state()
        body = record(colour="red")
        body["units"][0]["modules"][0]["x"] = 1
        assert_json_error(editor_api.put(detail("target"), body, format="json"), 400, "colour", "units[0].modules[0].x")
        assert catalog_state() == before

    def test_status_moves_through_the_workflow(self, editor_api, target):
        response = editor_api.put(detail("target"), record(status="published"), format="json")
        assert response.status_code == 200
        assert response.json()["status"] == "published" and response.json()["published_at"]
        assert editor_api.put(detail("target"), record(status="archived"), format="json").json()["status"] == "archived"
        before = catalog_state()
        refused = assert_json_error(editor_api.put(detail("target"), record(status="published"), format="json"), 409)
        assert "restore" in refused["detail"]
        assert catalog_state() == before

    def test_published_with_an_empty_tree_is_409_and_nothing_changes(self, editor_api, target):
        before = catalog_state()
        for slug in ("target", "brand-new"):
            for units in ([], [{"title": "Empty unit"}]):
                response = editor_api.put(detail(slug), record(status="published", units=units), format="json")
                assert "cannot publish" in assert_json_error(response, 409)["detail"]
        assert catalog_state() == before

    def test_bad_bodies_are_400_and_change_nothing(self, editor_api, target):
        before = catalog_state()
        for body in [
            [],
            "text",
            5,
            None,
            {"title": "T"},
            record(units=[{"title": ""}]),
            record(units=[{"title": f"U{i}"} for i in range(201)]),
            record(units=[{"title": "U", "modules": [{"title": f"M{i}"} for i in range(201)]}]),
            record(status="bogus"),
        ]:
            response = editor_api.generic("PUT", detail("target"), json.dumps(body), content_type="application/json")
            assert_json_error(response, 400)
        assert catalog_state() == before


class TestCoursePatch:
    def test_fields_are_normalised_like_stored_ones(self, editor_api, target):
        before = Course.objects.get(slug="target")
        response = editor_api.patch(
            detail("target"),
            {"title": "  New title  ", "topic": " Web   Dev ", "description": "  kept as is "},
            format="json",
        )
        assert response.status_code == 200
        body = response.json()
        assert (body["title"], body["topic"], body["description"]) == ("New title", "web-dev", "  kept as is ")
        assert body["updated_at"] > before.updated_at.isoformat().replace("+00:00", "Z")
        assert [u["title"] for u in body["units"]] == ["Unit 1", "Unit 2"]
        assert body == editor_api.get(detail("target")).json()

    def test_nothing_to_change_changes_nothing(self, editor_api, target):
        before = catalog_state()
        for body in ({}, {"title": "Target"}, {"topic": "TESTING"}, {"status": "draft"}):
            assert editor_api.patch(detail("target"), body, format="json").status_code == 200
        assert catalog_state() == before

    def test_a_slug_rename(self, editor_api, target):
        units = [u["id"] for u in editor_api.get(detail("target")).json()["units"]]
        response = editor_api.patch(detail("target"), {"slug": "renamed"}, format="json")
        assert response.status_code == 200 and response.json()["slug"] == "renamed"
        assert [u["id"] for u in editor_api.get(detail("renamed")).json()["units"]] == units
        assert_json_error(editor_api.get(detail("target")), 404)

    def test_renaming_onto_a_taken_slug_is_400(self, editor_api, target):
        CourseFactory(slug="taken")
        before = catalog_state()
        assert_json_error(editor_api.patch(detail("target"), {"slug": "taken"}, format="json"), 400, "slug")
        assert catalog_state() == before

    def test_unknown_or_read_only_keys_are_400_naming_them(self, editor_api, target):
        before = catalog_state()
        for key, value in [
            ("id", 9),
            ("unit_count", 9),
            ("module_count", 9),
            ("created_at", "2020-01-01"),
            ("updated_at", "2020-01-01"),
            ("published_at", "2020-01-01"),
            ("units", []),
            ("colour", "red"),
        ]:
            errors = assert_json_error(
                editor_api.patch(detail("target"), {"title": "X", key: value}, format="json"), 400, key
            )
            assert "title" not in errors
        assert catalog_state() == before

    def test_bad_values_are_400_naming_the_field(self, editor_api, target):
        before = catalog_state()
        for key, value in [
            ("title", ""),
            ("title", None),
            ("title", 5),
            ("title", "t" * 201),
            ("slug", "Bad Slug"),
            ("slug", ""),
            ("topic", "!!!"),
            ("topic", None),
            ("status", "bogus"),
            ("status", None),
            ("description", None),
            ("title", "a\x00b"),
        ]:
            assert_json_error(editor_api.patch(detail("target"), {key: value}, format="json"), 400, key)
        for body in ([], "text", 5):
            assert_json_error(
                editor_api.generic("PATCH", detail("target"), json.dumps(body), content_type="application/json"), 400
            )
        assert catalog_state() == before

    def test_a_number_is_not_a_slug(self, editor_api, target):
        before = catalog_state()
        assert_json_error(editor_api.patch(detail("target"), {"slug": 5}, format="json"), 400, "slug")
        assert catalog_state() == before

    def test_status_moves_through_the_workflow(self, editor_api, target):
        response = editor_api.patch(detail("target"), {"status": "published"}, format="json")
        assert response.status_code == 200
        assert response.json()["status"] == "published" and response.json()["published_at"]
        assert editor_api.patch(detail("target"), {"status": "archived"}, format="json").json()["status"] == "archived"
        before = catalog_state()
        refused = assert_json_error(
            editor_api.patch(detail("target"), {"status": "published", "title": "Changed"}, format="json"), 409
        )
        assert "restore" in refused["detail"] and "target" in refused["detail"]
        assert catalog_state() == before  # the title did not change either
        assert editor_api.patch(detail("target"), {"status": "draft"}, format="json").json()["status"] == "draft"

    def test_publishing_an_empty_course_is_409(self, editor_api):
        CourseFactory(slug="empty")
        before = catalog_state()
        refused = assert_json_error(editor_api.patch(detail("empty"), {"status": "published"}, format="json"), 409)
        assert refused["detail"] == "cannot publish 'empty': the course has no units"
        assert catalog_state() == before

    def test_an_unknown_slug_is_404(self, editor_api):
        assert_json_error(editor_api.patch(detail("missing"), {"title": "X"}, format="json"), 404)


class TestCourseDelete:
    def test_204_then_404(self, editor_api, target):
        other = CourseFactory(slug="other", units=tree(1))
        response = editor_api.delete(detail("target"))
        assert response.status_code == 204 and response.content == b""
        assert_json_error(editor_api.get(detail("target")), 404)
        assert_json_error(editor_api.delete(detail("target")), 404)
        assert list(Course.objects.values_list("slug", flat=True)) == ["other"]
        assert set(Unit.objects.values_list("course_id", flat=True)) == {other.pk}
        assert Module.objects.filter(unit__course__slug="target").count() == 0

    @pytest.mark.parametrize("status", ["published", "archived"])
    def test_any_status_can_be_deleted(self, editor_api, status):
        CourseFactory(slug="gone", status=status)
        assert editor_api.delete(detail("gone")).status_code == 204
        assert not Course.objects.exists()


class TestCourseTransitions:
    @pytest.mark.parametrize(
        ("start", "action", "end"),
        [
            ("draft", "publish", "published"),
            ("published", "unpublish", "draft"),
            ("draft", "archive", "archived"),
            ("published", "archive", "archived"),
            ("archived", "restore", "draft"),
        ],
    )
    def test_each_transition(self, editor_api, editor, start, action, end):
        course = CourseFactory(slug="c", status=start, units=tree(1))
        response = editor_api.post(detail("c") + f"{action}/")
        assert response.status_code == 200
        body = response.json()
        assert set(body) == EDITOR_KEYS | {"units"} and body["status"] == end
        course.refresh_from_db()
        assert course.status == end
        move = CourseTransition.objects.filter(course=course).first()
        assert (move.from_status, move.to_status, move.by) == (start, end, editor)
        if action == "publish":
            assert body["published_at"] == course.published_at.isoformat().replace("+00:00", "Z")

    @pytest.mark.parametrize(
        ("start", "action", "units", "reason"),
        [
            ("archived", "publish", None, "cannot publish 'c': it is archived"),
            ("draft", "publish", [], "cannot publish 'c': the course has no units"),
            (
                "draft",
                "publish",
                [{"title": "Full", "modules": [{"title": "m"}]}, {"title": "Forms"}],
                "cannot publish 'c': unit 2 'Forms' has no modules",
            ),
            ("draft", "unpublish", None, "cannot unpublish 'c': it is draft"),
            ("archived", "unpublish", None, "cannot unpublish 'c': it is archived"),
            ("archived", "archive", None, "cannot archive 'c': it is archived"),
            ("draft", "restore", None, "cannot restore 'c': it is draft"),
            ("published", "restore", None, "cannot restore 'c': it is published"),
        ],
    )
    def test_a_refused_move_is_409_with_its_reason_and_changes_nothing(self, editor_api, start, action, units, reason):
        CourseFactory(slug="c", status=start, units=tree(1) if units is None else units)
        before = catalog_state()
        body = assert_json_error(editor_api.post(detail("c") + f"{action}/"), 409)
        assert set(body) == {"detail"} and body["detail"].startswith(reason)
        assert catalog_state() == before

    def test_an_unknown_slug_is_404(self, editor_api):
        for action in ("publish", "unpublish", "archive", "restore"):
            assert_json_error(editor_api.post(detail("missing") + f"{action}/"), 404)

    def test_only_post(self, editor_api, target):
        for method in ("get", "put", "patch", "delete"):
            assert_json_error(getattr(editor_api, method)(detail("target") + "publish/"), 405)
        assert Course.objects.get(slug="target").status == "draft"
