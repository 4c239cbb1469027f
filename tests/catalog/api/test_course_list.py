"""GET /api/v1/courses/: shape, order, visibility, every filter and its bad values, pagination."""

import datetime as dt

import pytest
from django.utils import timezone

from catalog import services
from catalog.domain.records import clean_record
from catalog.models import Course
from tests.factories import CourseFactory, tree
from tests.helpers.api import LIST, SUMMARY_KEYS, assert_json_error, slugs

pytestmark = [pytest.mark.django_db]


def batch(*records):
    """Courses made in one batch share one created_at (the tie the id must break)."""
    cleaned = [clean_record({"title": f"Course {r['slug']}", "topic": "Batch", **r}) for r in records]
    return [result.course for result in services.courses_upsert(records=cleaned)]


@pytest.fixture
def catalog():
    made = {}
    for slug, title, topic, status in [
        ("pub-sql", "Intro to SQL", "Databases", "published"),
        ("pub-css", "CSS layouts", "Web Development", "published"),
        ("pub-ml", "Machine learning", "Data Science", "published"),
        ("draft-x", "Draft course", "Databases", "draft"),
        ("arch-y", "Archived course", "Databases", "archived"),
    ]:
        made[slug] = CourseFactory(slug=slug, title=title, topic=topic, status=status, units=tree(2, 1))
    return made


PUBLISHED = {"pub-sql", "pub-css", "pub-ml"}


@pytest.mark.embedded
class TestCourseListShape:
    def test_a_page_of_summaries(self, api, catalog):
        response = api.get(LIST)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert (body["count"], body["next"], body["previous"]) == (3, None, None)
        for summary in body["results"]:
            assert set(summary) == SUMMARY_KEYS
        first = body["results"][0]
        course = catalog["pub-ml"]
        assert first["id"] == course.pk and first["slug"] == "pub-ml" and first["title"] == "Machine learning"
        assert (first["topic"], first["status"], first["unit_count"], first["module_count"]) == (
            "data-science",
            "published",
            2,
            3,
        )
        assert first["description"] == "A course made by the test factory."
        assert first["published_at"] and first["created_at"] and first["updated_at"]

    def test_newest_first(self, api, catalog):
        assert slugs(api.get(LIST)) == ["pub-ml", "pub-css", "pub-sql"]

    def test_ties_on_created_at_are_broken_by_id_ascending(self, api):
        made = batch(*({"slug": f"tie-{i}", "status": "published", "units": tree(1)} for i in (2, 0, 1)))
        assert len({c.created_at for c in Course.objects.all()}) == 1
        expected = [c.slug for c in sorted(made, key=lambda c: c.pk)]
        assert slugs(api.get(LIST)) == expected
        assert slugs(api.get(LIST + "?page_size=1&page=2")) == [expected[1]]

    def test_an_empty_catalog_is_an_empty_first_page(self, api):
        assert api.get(LIST).json() == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.embedded
class TestCourseListVisibility:
    def test_learners_see_published_courses_only(self, api, learner_api, catalog):
        for client in (api, learner_api):
            assert set(slugs(client.get(LIST))) == PUBLISHED

    def test_learners_status_is_ignored_whatever_it_says(self, api, learner_api, catalog):
        for client in (api, learner_api):
            for status in ["draft", "archived", "published", "bogus", "", "DRAFT", "draft,archived", "\x00"]:
                response = client.get(LIST, {"status": status})
                assert response.status_code == 200, status
                assert set(slugs(response)) == PUBLISHED, status
            assert set(slugs(client.get(LIST + "?status=draft&status=archived"))) == PUBLISHED

    def test_editors_see_everything_and_filter_by_status(self, editor_api, catalog):
        assert set(slugs(editor_api.get(LIST))) == set(catalog)
        assert slugs(editor_api.get(LIST + "?status=draft")) == ["draft-x"]
        assert slugs(editor_api.get(LIST + "?status=archived")) == ["arch-y"]
        assert set(slugs(editor_api.get(LIST + "?status=published"))) == PUBLISHED

    def test_editors_bad_status_is_400(self, editor_api, catalog):
        for status in ["bogus", "DRAFT", "draft,archived", "\x00"]:
            assert_json_error(editor_api.get(LIST, {"status": status}), 400, "status")


@pytest.mark.embedded
class TestCourseListTopic:
    def test_any_case_or_spacing(self, api, catalog):
        for given in ["data-science", "Data Science", "  DATA   science ", "data_science", "Data-Science"]:
            assert slugs(api.get(LIST, {"topic": given})) == ["pub-ml"], given

    def test_repeated_topics_match_either(self, api, catalog):
        assert slugs(api.get(LIST + "?topic=databases&topic=Web%20Development")) == ["pub-css", "pub-sql"]
        assert slugs(api.get(LIST + "?topic=databases&topic=nothing")) == ["pub-sql"]

    def test_an_unknown_topic_is_an_empty_list(self, api, catalog):
        response = api.get(LIST, {"topic": "nothing-like-it"})
        assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}

    def test_a_topic_without_letters_or_digits_is_no_filter(self, api, catalog):
        assert set(slugs(api.get(LIST, {"topic": " -- "}))) == PUBLISHED

    def test_topic_never_shows_learners_a_hidden_course(self, api, editor_api, catalog):
        assert slugs(api.get(LIST, {"topic": "Databases"})) == ["pub-sql"]
        assert slugs(editor_api.get(LIST, {"topic": "Databases"})) == ["arch-y", "draft-x", "pub-sql"]


@pytest.mark.embedded
class TestCourseListCreatedDates:
    @pytest.fixture
    def three(self):
        courses = [CourseFactory(slug=f"c{i}", status="published", units=tree(1)) for i in range(3)]
        return [Course.objects.get(pk=c.pk) for c in courses]

    def test_date_times_are_inclusive(self, api, three):
        middle = three[1].created_at
        tick = dt.timedelta(microseconds=1)
        assert slugs(api.get(LIST, {"created_after": middle.isoformat()})) == ["c2", "c1"]
        assert slugs(api.get(LIST, {"created_before": middle.isoformat()})) == ["c1", "c0"]
        assert slugs(api.get(LIST, {"created_after": (middle + tick).isoformat()})) == ["c2"]
        assert slugs(api.get(LIST, {"created_before": (middle - tick).isoformat()})) == ["c0"]
        both = {"created_after": middle.isoformat(), "created_before": middle.isoformat()}
        assert slugs(api.get(LIST, both)) == ["c1"]

    def test_other_spellings_of_the_same_instant(self, api, three):
        at = three[1].created_at.astimezone(dt.UTC)
        zulu = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        naive = at.strftime("%Y-%m-%dT%H:%M:%S.%f")  # naive means UTC
        plus_two = at.astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat()
        for spelling in (zulu, naive, plus_two):
            assert slugs(api.get(LIST, {"created_after": spelling, "created_before": spelling})) == ["c1"], spelling
        # An unencoded "+" in the query string arrives as a space.
        raw = plus_two.replace("+", "%20").replace(":", "%3A")
        assert slugs(api.get(f"{LIST}?created_after={raw}&created_before={raw}")) == ["c1"]

    def test_a_date_means_its_whole_day(self, api, three):
        today = timezone.now().date()
        yesterday, tomorrow = today - dt.timedelta(days=1), today + dt.timedelta(days=1)
        assert slugs(api.get(LIST, {"created_before": today.isoformat()})) == ["c2", "c1", "c0"]
        assert slugs(api.get(LIST, {"created_after": today.isoformat()})) == ["c2", "c1", "c0"]
        assert slugs(api.get(LIST, {"created_after": today.isoformat(), "created_before": today.isoformat()})) == [
            "c2",
            "c1",
            "c0",
        ]
        assert slugs(api.get(LIST, {"created_before": yesterday.isoformat()})) == []
        assert slugs(api.get(LIST, {"created_after": tomorrow.isoformat()})) == []

    def test_after_later_than_before_is_an_empty_list(self, api, three):
        assert slugs(api.get(LIST, {"created_after": "2030-01-02", "created_before": "2030-01-01"})) == []

    @pytest.mark.parametrize("name", ["created_after", "created_before"])
    def test_bad_values_are_400_naming_the_parameter(self, api, three, name):
        for value in [
            "yesterday",
            "2026-13-01",
            "2026-02-30",
            "12/01/2026",
            "2026-01-01T25:00",
            "2026",
            "2026-01-01T10:00:00+99:00",
            "0001-01-01T00:00:00+01:00",
            "2026-1-1x",
            "\x00",
            "1e9",
        ]:
            assert_json_error(api.get(LIST, {name: value}), 400, name)

    @pytest.mark.parametrize("name", ["created_after", "created_before"])
    def test_extreme_valid_dates_are_answered(self, api, three, name):
        for value in ["0001-01-01", "9999-12-30", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"]:
            assert api.get(LIST, {name: value}).status_code == 200, value

    def test_created_after_the_last_representable_day(self, api, three):
        assert slugs(api.get(LIST, {"created_after": "9999-12-31"})) == []

    def test_created_before_the_last_representable_day(self, api, three):
        assert slugs(api.get(LIST, {"created_before": "9999-12-31"})) == ["c2", "c1", "c0"]


@pytest.mark.embedded
class TestCourseListOrdering:
    def test_each_ordering(self, api, catalog):
        # Titles: "CSS layouts" < "Intro to SQL" < "Machine learning"; created and published in fixture order.
        for ordering, expected in [
            ("title", ["pub-css", "pub-sql", "pub-ml"]),
            ("-title", ["pub-ml", "pub-sql", "pub-css"]),
            ("created_at", ["pub-sql", "pub-css", "pub-ml"]),
            ("-created_at", ["pub-ml", "pub-css", "pub-sql"]),
            ("published_at", ["pub-sql", "pub-css", "pub-ml"]),
            ("-published_at", ["pub-ml", "pub-css", "pub-sql"]),
        ]:
            assert slugs(api.get(LIST, {"ordering": ordering})) == expected, ordering

    def test_published_at_follows_the_latest_publication(self, api, catalog):
        services.course_unpublish(course=catalog["pub-sql"])
        services.course_publish(course=catalog["pub-sql"])
        assert slugs(api.get(LIST, {"ordering": "-published_at"})) == ["pub-sql", "pub-ml", "pub-css"]
        assert slugs(api.get(LIST, {"ordering": "published_at"}))[-1] == "pub-sql"

    def test_ties_are_broken_by_id(self, api):
        made = batch(
            *({"slug": f"same-{i}", "title": "Same title", "status": "published", "units": tree(1)} for i in (3, 1, 2))
        )
        by_id = [c.slug for c in sorted(made, key=lambda c: c.pk)]
        assert slugs(api.get(LIST, {"ordering": "title"})) == by_id
        assert slugs(api.get(LIST, {"ordering": "-title"})) == by_id
        assert slugs(api.get(LIST, {"ordering": "-published_at"})) == by_id

    def test_unknown_ordering_is_400_naming_it(self, api, catalog):
        for ordering in ["bogus", "id", "-status", "slug", "title;drop table", "--title", "Title", "-", "rank", "\x00"]:
            assert_json_error(api.get(LIST, {"ordering": ordering}), 400, "ordering")


@pytest.mark.embedded
class TestCourseListPagination:
    @pytest.fixture
    def seven(self):
        return batch(*({"slug": f"p{i}", "status": "published", "units": tree(1)} for i in range(7)))

    def test_default_page_size_is_20(self, api):
        batch(*({"slug": f"d{i:02d}", "status": "published", "units": tree(1)} for i in range(21)))
        body = api.get(LIST).json()
        assert body["count"] == 21 and len(body["results"]) == 20
        assert body["next"] == "http://127.0.0.1/api/v1/courses/?page=2"
        last = api.get(body["next"]).json()
        assert len(last["results"]) == 1 and last["next"] is None
        assert last["previous"] == "http://127.0.0.1/api/v1/courses/"

    def test_following_the_links_visits_every_course_once(self, api, seven):
        seen, url, pages = [], LIST + "?page_size=3", 0
        while url:
            body = api.get(url).json()
            assert body["count"] == 7
            seen += [c["slug"] for c in body["results"]]
            url, pages = body["next"], pages + 1
        assert pages == 3 and sorted(seen) == sorted(f"p{i}" for i in range(7)) and len(seen) == 7
        body = api.get(LIST + "?page_size=3&page=2").json()
        assert body["previous"] == "http://127.0.0.1/api/v1/courses/?page_size=3"
        assert body["next"] == "http://127.0.0.1/api/v1/courses/?page=3&page_size=3"

    def test_links_keep_the_query_and_learners_links_drop_status(self, api, editor_api, seven):
        query = {"page_size": 2, "topic": "Batch", "ordering": "title", "status": "published"}
        learner_next = api.get(LIST, query).json()["next"]
        assert "status" not in learner_next
        assert "topic=batch" in learner_next and "ordering=title" in learner_next and "page_size=2" in learner_next
        editor_next = editor_api.get(LIST, query).json()["next"]
        assert "status=published" in editor_next
        assert len(slugs(editor_api.get(editor_next))) == 2

    def test_page_size_bounds(self, api, seven):
        for page_size, expected in [("1", 1), ("100", 7), (" 6 ", 6), ("", 7)]:
            assert len(slugs(api.get(LIST, {"page_size": page_size}))) == expected, page_size
        assert slugs(api.get(LIST, {"page": ""})) == slugs(api.get(LIST))  # empty means the first page

    def test_bad_values_are_400_naming_the_parameter(self, api, seven):
        for query in [
            "page=0",
            "page=-1",
            "page=abc",
            "page=1.5",
            "page=1e3",
            "page=%201%202",
            "page=%2B2",
            "page_size=0",
            "page_size=101",
            "page_size=1000",
            "page_size=abc",
            "page_size=-5",
            "page_size=2.0",
            "page_size=0x10",
            "page_size=%00",
        ]:
            assert_json_error(api.get(f"{LIST}?{query}"), 400, query.split("=")[0])

    @pytest.mark.parametrize("name", ["page", "page_size"])
    def test_digits_that_int_cannot_read_are_400(self, api, seven, name):
        for value in ["\u00b2", "\u2460", "1\u00b9"]:  # superscript two, circled one: isdigit() but not int()
            assert_json_error(api.get(LIST, {name: value}), 400, name)
        # More digits than int() converts (sys.get_int_max_str_digits(), 4300): a page past the end, or a 400.
        response = api.get(LIST, {name: "1" + "0" * 5000})
        assert response.status_code in (400, 404) and response.json()

    def test_a_page_past_the_end_is_404_json(self, api, seven):
        for page in ["3", "99999", "99999999999999999999999"]:
            assert_json_error(api.get(LIST, {"page_size": 5, "page": page}), 404)
        assert slugs(api.get(LIST, {"page_size": 5, "page": 2})) == ["p5", "p6"]  # one batch: by id
