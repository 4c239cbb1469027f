"""API reads: shapes, visibility, every filter and its bad values, pagination, search, constant SQL."""
import datetime as dt

import pytest
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.utils import timezone

from catalog import services
from catalog.models import Course
from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db]
LIST = "/api/v1/courses/"
SUMMARY_KEYS = {"id", "slug", "title", "description", "topic", "status", "published_at", "created_at",
                "updated_at", "unit_count", "module_count"}


def slugs(response):
    assert response.status_code == 200, response.content
    return [c["slug"] for c in response.json()["results"]]


@pytest.fixture
def catalog():
    made = {}
    for slug, topic, status in [
        ("pub-sql", "Databases", "published"), ("pub-css", "Web Development", "published"),
        ("pub-ml", "Data Science", "published"), ("draft-x", "Databases", "draft"),
        ("arch-y", "Databases", "archived"),
    ]:
        made[slug] = CourseFactory(slug=slug, title=slug.replace("-", " ").title(), topic=topic, status=status,
                                   units=tree(2, 1))
    return made


@pytest.mark.embedded
class TestListShape:
    def test_paginated_summaries_newest_first(self, api, catalog):
        body = api.get(LIST).json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert body["count"] == 3 and body["next"] is None and body["previous"] is None
        assert set(body["results"][0]) == SUMMARY_KEYS
        assert [c["slug"] for c in body["results"]] == ["pub-ml", "pub-css", "pub-sql"]
        first = body["results"][0]
        assert (first["unit_count"], first["module_count"], first["topic"]) == (2, 3, "data-science")

    def test_ties_on_created_at_are_broken_by_id(self, api):
        records = [{"slug": f"tie-{i}", "title": f"Tie {i}", "topic": "x", "status": "published", "units": tree(1)}
                   for i in range(3)]
        from catalog.records import clean_record

        services.courses_upsert(records=[clean_record(r) for r in records])  # one batch: one created_at
        assert len(set(Course.objects.values_list("created_at", flat=True))) == 1
        assert slugs(api.get(LIST)) == ["tie-0", "tie-1", "tie-2"]

    def test_page_size_and_links(self, api, catalog):
        body = api.get(LIST + "?page_size=2").json()
        assert len(body["results"]) == 2 and body["next"].endswith("?page=2&page_size=2")
        second = api.get(body["next"]).json()
        assert len(second["results"]) == 1 and second["next"] is None
        assert second["previous"].endswith("?page_size=2")

    @pytest.mark.parametrize("query", ["page=0", "page=-1", "page=abc", "page=1.5", "page_size=0", "page_size=101",
                                       "page_size=1000", "page_size=abc", "page_size=-5"])
    def test_bad_pagination_values_are_400_naming_the_parameter(self, api, catalog, query):
        response = api.get(f"{LIST}?{query}")
        assert response.status_code == 400
        assert query.split("=")[0] in response.json()

    def test_page_past_the_end_is_404_json(self, api, catalog):
        response = api.get(LIST + "?page=99999")
        assert response.status_code == 404 and "detail" in response.json()


@pytest.mark.embedded
class TestFilters:
    def test_topic_any_case_and_spacing_and_repeatable(self, api, catalog):
        assert slugs(api.get(LIST + "?topic=DATA%20science%20")) == ["pub-ml"]
        assert set(slugs(api.get(LIST + "?topic=databases&topic=Web Development"))) == {"pub-sql", "pub-css"}
        assert slugs(api.get(LIST + "?topic=nothing")) == []

    def test_status_is_for_editors_only(self, api, learner_api, editor_api, catalog):
        for client in (api, learner_api):
            assert set(slugs(client.get(LIST + "?status=draft"))) == {"pub-sql", "pub-css", "pub-ml"}
            assert client.get(LIST + "?status=bogus").status_code == 200
        assert slugs(editor_api.get(LIST + "?status=draft")) == ["draft-x"]
        assert slugs(editor_api.get(LIST + "?status=archived")) == ["arch-y"]
        assert len(slugs(editor_api.get(LIST))) == 5
        assert editor_api.get(LIST + "?status=bogus").status_code == 400

    def test_created_after_and_before_are_inclusive(self, api, catalog):
        course = Course.objects.get(slug="pub-css")
        at = course.created_at
        assert "pub-css" in slugs(api.get(LIST, {"created_after": at.isoformat()}))
        assert "pub-css" in slugs(api.get(LIST, {"created_before": at.isoformat()}))
        assert "pub-css" not in slugs(api.get(LIST, {"created_after": (at + dt.timedelta(microseconds=1)).isoformat()}))
        today = timezone.now().date().isoformat()
        assert len(slugs(api.get(LIST, {"created_before": today}))) == 3  # a date includes its whole day
        assert len(slugs(api.get(LIST, {"created_after": today}))) == 3
        tomorrow = (timezone.now().date() + dt.timedelta(days=1)).isoformat()
        assert slugs(api.get(LIST, {"created_after": tomorrow})) == []

    @pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "2026-02-30", "12/01/2026", "2026-01-01T25:00"])
    def test_bad_dates_are_400(self, api, catalog, value):
        for name in ("created_after", "created_before"):
            response = api.get(LIST, {name: value})
            assert response.status_code == 400 and name in response.json()

    @pytest.mark.parametrize(("ordering", "expected"), [
        ("title", ["pub-css", "pub-ml", "pub-sql"]), ("-title", ["pub-sql", "pub-ml", "pub-css"]),
        ("created_at", ["pub-sql", "pub-css", "pub-ml"]), ("-created_at", ["pub-ml", "pub-css", "pub-sql"]),
    ])
    def test_ordering(self, api, catalog, ordering, expected):
        assert slugs(api.get(LIST + f"?ordering={ordering}")) == expected

    def test_ordering_by_published_at(self, api, catalog):
        services.course_unpublish(course=catalog["pub-sql"])
        services.course_publish(course=catalog["pub-sql"])
        assert slugs(api.get(LIST + "?ordering=-published_at"))[0] == "pub-sql"

    @pytest.mark.parametrize("ordering", ["bogus", "id", "-status", "title;drop"])
    def test_unknown_ordering_is_400(self, api, catalog, ordering):
        response = api.get(LIST + f"?ordering={ordering}")
        assert response.status_code == 400 and "ordering" in response.json()


@pytest.mark.embedded
class TestDetailAndTopics:
    def test_detail_has_the_ordered_tree(self, api, catalog):
        services.unit_create(course=catalog["pub-sql"], title="Intro", position=1)
        body = api.get(f"{LIST}pub-sql/").json()
        assert set(body) == SUMMARY_KEYS | {"units"}
        assert [u["order"] for u in body["units"]] == [1, 2, 3]
        assert body["units"][0]["title"] == "Intro"
        assert set(body["units"][1]) == {"id", "title", "order", "modules"}
        assert set(body["units"][1]["modules"][0]) == {"id", "title", "order"}
        assert [m["order"] for m in body["units"][1]["modules"]] == [1, 2]

    @pytest.mark.parametrize("slug", ["draft-x", "arch-y", "missing"])
    def test_hidden_or_missing_is_404_for_learners(self, api, learner_api, catalog, slug):
        for client in (api, learner_api):
            response = client.get(f"{LIST}{slug}/")
            assert response.status_code == 404 and "detail" in response.json()

    def test_editors_see_drafts(self, editor_api, catalog):
        assert editor_api.get(f"{LIST}draft-x/").json()["status"] == "draft"

    @pytest.mark.parametrize("path", ["Pub-SQL/", "a" * 101 + "/", "%00/", "x%00y/", "..%2F/", "über/"])
    def test_odd_slugs_are_json_404(self, api, catalog, path):
        response = api.get(LIST + path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"

    def test_topics_are_published_only_and_sorted(self, api, editor_api, catalog):
        expected = [{"topic": "data-science", "course_count": 1}, {"topic": "databases", "course_count": 1},
                    {"topic": "web-development", "course_count": 1}]
        assert api.get("/api/v1/topics/").json() == expected
        assert editor_api.get("/api/v1/topics/").json() == expected


@pytest.mark.postgres_only
class TestSearch:
    @pytest.fixture
    def searchable(self):
        CourseFactory(slug="in-title", title="Quaternion basics", description="Nothing here.", status="published", units=tree(1))
        CourseFactory(slug="in-description", title="Rotations", description="Uses a quaternion or two.",
                      status="published", units=tree(1))
        CourseFactory(slug="in-module", title="Geometry", status="published",
                      units=[{"title": "Shapes", "modules": [{"title": "Quaternion products"}]}])
        CourseFactory(slug="in-unit", title="Algebra", status="published",
                      units=[{"title": "Quaternion algebra", "modules": [{"title": "x"}]}])
        CourseFactory(slug="hidden", title="Quaternion secrets", units=tree(1))
        CourseFactory(slug="topical", title="Other", topic="Quaternion Studies", status="published", units=tree(1))

    def test_finds_words_anywhere_and_ranks_the_title_first(self, api, searchable):
        found = slugs(api.get(LIST + "?search=quaternion"))
        assert set(found) == {"in-title", "in-description", "in-module", "in-unit", "topical"}
        assert found[0] == "in-title"
        assert found.index("in-unit") < found.index("in-module") < found.index("in-description")

    def test_ordering_overrides_rank(self, api, searchable):
        assert slugs(api.get(LIST + "?search=quaternion&ordering=title")) == [
            "in-unit", "in-module", "topical", "in-title", "in-description"]

    def test_search_follows_tree_edits(self, api, searchable):
        course = Course.objects.get(slug="in-module")
        module = course.units.get().modules.get()
        services.module_update(module=module, title="Octonion products")
        assert "in-module" not in slugs(api.get(LIST + "?search=quaternion"))
        assert slugs(api.get(LIST + "?search=octonion")) == ["in-module"]

    @pytest.mark.parametrize("text", ['"quaternion basics"', "quaternion -rotations", "quaternion or nothing",
                                      "&|!:*()", "'", "\\", "a" * 500, "quaternion\u00e9", "  "])
    def test_any_input_is_safe(self, api, searchable, text):
        assert api.get(LIST, {"search": text}).status_code == 200

    def test_too_long_search_is_400(self, api, searchable):
        response = api.get(LIST, {"search": "a" * 501})
        assert response.status_code == 400 and "search" in response.json()


class TestConstantQueries:
    def _count(self, client, url):
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    @pytest.mark.embedded
    def test_list_page_of_1_and_100_costs_the_same(self, editor_api):
        for i in range(100):
            CourseFactory(slug=f"c-{i:03d}", status="published", units=tree(2, 2))
        small = self._count(editor_api, LIST + "?page_size=1")
        big = self._count(editor_api, LIST + "?page_size=100")
        assert small == big <= 7  # token, the editor's permissions (2), count, ids, rows

    @pytest.mark.embedded
    def test_detail_of_1_and_50_units_costs_the_same(self, editor_api):
        CourseFactory(slug="small", status="published", units=tree(1))
        CourseFactory(slug="large", status="published", units=tree(*[3] * 50))
        # token, the editor's permissions (2), course, units, modules
        assert self._count(editor_api, f"{LIST}small/") == self._count(editor_api, f"{LIST}large/") <= 6

    def test_learner_miss_is_constant_too(self, api, django_assert_num_queries):
        for i in range(30):
            CourseFactory(slug=f"c-{i:03d}", status="published", units=tree(2, 2))
        with django_assert_num_queries(3):  # count, ids, rows
            api.get(LIST + "?page_size=30&ordering=title")
        with django_assert_num_queries(3):  # course, units, modules
            api.get(f"{LIST}c-001/")
