"""GET /api/v1/courses/{slug}/: the summary plus the ordered tree; hidden and odd slugs are JSON 404s."""

import pytest

from catalog import services
from tests.factories import CourseFactory, tree
from tests.helpers.api import LIST, SUMMARY_KEYS, assert_json_error, detail

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def course():
    return CourseFactory(
        slug="intro-to-sql", title="Intro to SQL", topic="Data Bases", status="published", units=tree(2, 1)
    )


class TestCourseDetail:
    def test_summary_plus_the_whole_tree(self, api, course):
        response = api.get(detail("intro-to-sql"))
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
        body = response.json()
        assert set(body) == SUMMARY_KEYS | {"units"}
        assert (body["id"], body["slug"], body["title"], body["topic"], body["status"]) == (
            course.pk,
            "intro-to-sql",
            "Intro to SQL",
            "data-bases",
            "published",
        )
        assert (body["unit_count"], body["module_count"]) == (2, 3)
        assert body["units"] == [
            {
                "id": body["units"][0]["id"],
                "title": "Unit 1",
                "order": 1,
                "modules": [
                    {"id": body["units"][0]["modules"][0]["id"], "title": "Module 1.1", "order": 1},
                    {"id": body["units"][0]["modules"][1]["id"], "title": "Module 1.2", "order": 2},
                ],
            },
            {
                "id": body["units"][1]["id"],
                "title": "Unit 2",
                "order": 2,
                "modules": [
                    {"id": body["units"][1]["modules"][0]["id"], "title": "Module 2.1", "order": 1},
                ],
            },
        ]

    def test_the_summary_matches_the_list(self, api, course):
        summary = api.get(LIST).json()["results"][0]
        body = api.get(detail("intro-to-sql")).json()
        assert {key: body[key] for key in SUMMARY_KEYS} == summary

    def test_units_and_modules_come_in_their_order_not_their_creation_order(self, api, editor_api, course):
        preface = services.unit_create(course=course, title="Preface", position=1)
        second = course.units.get(title="Unit 1")
        last = second.modules.get(title="Module 1.2")
        services.module_move(module=last, position=1)
        body = editor_api.get(detail("intro-to-sql")).json()  # the working copy
        assert [(u["order"], u["title"]) for u in body["units"]] == [(1, "Preface"), (2, "Unit 1"), (3, "Unit 2")]
        assert [(m["order"], m["title"]) for m in body["units"][1]["modules"]] == [(1, "Module 1.2"), (2, "Module 1.1")]
        assert body["units"][0]["modules"] == []
        assert (body["unit_count"], body["module_count"]) == (3, 3)
        services.module_create(unit=preface, title="Welcome")
        services.course_publish(course=course)
        body = api.get(detail("intro-to-sql")).json()  # learners, once it is published
        assert [(u["order"], u["title"]) for u in body["units"]] == [(1, "Preface"), (2, "Unit 1"), (3, "Unit 2")]
        assert [(m["order"], m["title"]) for m in body["units"][1]["modules"]] == [(1, "Module 1.2"), (2, "Module 1.1")]
        assert (body["unit_count"], body["module_count"]) == (3, 4)

    def test_a_logged_in_learner_sees_a_published_course(self, learner_api, course):
        assert learner_api.get(detail("intro-to-sql")).json()["title"] == "Intro to SQL"


class TestHiddenCourses:
    @pytest.mark.parametrize("status", ["draft", "archived"])
    def test_a_hidden_course_does_not_exist_for_learners(self, api, learner_api, status):
        CourseFactory(slug="hidden", status=status, units=tree(1))
        for client in (api, learner_api):
            body = assert_json_error(client.get(detail("hidden")), 404)
            assert body == {"detail": "No course has this slug."}  # the same answer as for a missing slug

    @pytest.mark.parametrize("status", ["draft", "archived"])
    def test_editors_see_it_with_its_tree(self, editor_api, status):
        CourseFactory(slug="hidden", status=status, units=tree(1, 2))
        body = editor_api.get(detail("hidden")).json()
        assert body["status"] == status
        assert [len(u["modules"]) for u in body["units"]] == [1, 2]

    def test_an_unknown_slug_is_a_json_404(self, api, editor_api):
        for client in (api, editor_api):
            body = assert_json_error(client.get(detail("no-such-course")), 404)
            assert body == {"detail": "No course has this slug."}


class TestOddSlugs:
    def test_odd_paths_are_json_404_not_500(self, api, editor_api, course):
        for path in [
            "Intro-To-SQL/",
            "INTRO-TO-SQL/",
            "a" * 101 + "/",
            "a" * 100 + "/",
            "%00/",
            "intro%00/",
            "..%2F/",
            "%2e%2e/",
            "\u00fcber/",
            "%FF%FE/",
            "intro_to_sql/",
            "intro to sql/",
            "intro-to-sql/extra/",
            "-/",
            "intro-to-sql/publish/x/",
            "%0d%0aSet-Cookie:x=1/",
        ]:
            for client in (api, editor_api):
                assert_json_error(client.get(LIST + path), 404)

    def test_without_the_trailing_slash_it_redirects(self, api, course):
        response = api.get(LIST + "intro-to-sql?x=1")
        # Absolute, on the canonical base (issue 23: the docs promise absolute URLs).
        assert (
            response.status_code == 301 and response["Location"] == "http://127.0.0.1/api/v1/courses/intro-to-sql/?x=1"
        )
