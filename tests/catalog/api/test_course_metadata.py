"""Level, language, module minutes and the derived duration: written, served, filtered, refused."""

import pytest

from catalog.models import Course, Release
from tests.factories import CourseFactory
from tests.helpers.api import LIST

pytestmark = [pytest.mark.django_db]


def record(**fields):
    units = [{"title": "U", "modules": [{"title": "A", "minutes": 20}, {"title": "B"}, {"title": "C", "minutes": 25}]}]
    return {"title": "SQL", "topic": "Databases", "units": units, **fields}


class TestWrites:
    def test_put_stores_level_language_minutes_and_serves_the_duration(self, editor_api):
        body = record(level="intermediate", language="pt-br", status="published")
        response = editor_api.put(f"{LIST}sql/", body, format="json")
        assert response.status_code == 201, response.content
        written = response.json()
        assert (written["level"], written["language"], written["duration_minutes"]) == ("intermediate", "pt-BR", 45)
        learners = editor_api.__class__().get(f"{LIST}sql/").json()
        assert (learners["level"], learners["language"], learners["duration_minutes"]) == ("intermediate", "pt-BR", 45)
        module = learners["units"][0]["modules"][0]["id"]
        assert editor_api.__class__().get(f"{LIST}sql/modules/{module}/").json()["minutes"] == 20

    def test_the_change_feed_carries_them(self, editor_api):
        editor_api.put(f"{LIST}sql/", record(level="advanced", language="de", status="published"), format="json")
        entry = editor_api.__class__().get("/api/v1/changes/").json()["results"][-1]
        assert (entry["slug"], entry["course"]["level"], entry["course"]["language"]) == ("sql", "advanced", "de")
        assert entry["course"]["duration_minutes"] == 45

    def test_a_record_without_them_gets_no_level_the_default_language_and_no_duration(self, editor_api, settings):
        settings.CATALOG_DEFAULT_LANGUAGE = "de"
        units = [{"title": "U", "modules": [{"title": "A"}]}]
        response = editor_api.put(f"{LIST}sql/", {"title": "SQL", "topic": "Databases", "units": units}, format="json")
        assert response.status_code == 201
        assert (response.json()["level"], response.json()["language"], response.json()["duration_minutes"]) == (
            None,
            "de",
            None,
        )

    @pytest.mark.parametrize(
        ("fields", "path"),
        [
            ({"level": "expert"}, "level"),
            ({"level": "Beginner"}, "level"),
            ({"language": "english"}, "language"),
            ({"language": "pt_BR"}, "language"),
            ({"language": 7}, "language"),
        ],
    )
    def test_a_bad_level_or_language_is_a_400_naming_it_and_nothing_is_written(self, editor_api, fields, path):
        response = editor_api.put(f"{LIST}sql/", record(**fields), format="json")
        assert response.status_code == 400 and path in response.json(), response.content
        assert not Course.objects.exists()

    @pytest.mark.parametrize("minutes", [-1, 10_001, 1.5, "5", True])
    def test_bad_minutes_are_a_400_naming_the_module(self, editor_api, minutes):
        body = {
            "title": "SQL",
            "topic": "Databases",
            "units": [{"title": "U", "modules": [{"title": "A", "minutes": minutes}]}],
        }
        response = editor_api.put(f"{LIST}sql/", body, format="json")
        assert response.status_code == 400 and "units[0].modules[0].minutes" in str(response.json()), response.content

    def test_patch_changes_level_and_language_and_the_diff_shows_them(self, editor_api):
        editor_api.put(f"{LIST}sql/", record(level="beginner", status="published"), format="json")
        response = editor_api.patch(f"{LIST}sql/", {"level": "advanced", "language": "FR"}, format="json")
        assert response.status_code == 200, response.content
        assert (response.json()["level"], response.json()["language"]) == ("advanced", "fr")
        changes = editor_api.get(f"{LIST}sql/diff/").json()["changes"]
        assert {(c["field"], c["from"], c["to"]) for c in changes} == {
            ("level", "beginner", "advanced"),
            ("language", "en", "fr"),
        }
        assert editor_api.__class__().get(f"{LIST}sql/").json()["level"] == "beginner"  # learners: the live release

    def test_a_module_minutes_change_is_in_the_diff_and_the_release(self, editor_api):
        editor_api.put(f"{LIST}sql/", record(status="published"), format="json")
        changed = record(status="published")
        changed["units"][0]["modules"][1]["minutes"] = 5
        assert editor_api.put(f"{LIST}sql/", changed, format="json").json()["duration_minutes"] == 50
        changes = editor_api.get(f"{LIST}sql/diff/?from=1&to=2").json()["changes"]
        assert [(c["what"], c["field"], c["from"], c["to"]) for c in changes] == [("module", "minutes", None, 5)]
        assert Release.objects.get(number=2).document["units"][0]["modules"][1]["minutes"] == 5


class TestFilters:
    @pytest.fixture
    def courses(self):
        def course(slug, level, language, minutes, topic="Databases"):
            units = [{"title": "U", "modules": [{"title": "M", "minutes": minutes}]}]
            CourseFactory(slug=slug, topic=topic, level=level, language=language, status="published", units=units)

        course("a", "beginner", "en", 30)
        course("b", "advanced", "en", 300)
        course("c", "beginner", "pt-BR", None)
        course("d", None, "en", 60, topic="Web")

    @pytest.mark.parametrize("who", ["anonymous", "editor"])
    @pytest.mark.parametrize(
        ("query", "slugs"),
        [
            ("level=beginner", {"a", "c"}),
            ("level=beginner&level=advanced", {"a", "b", "c"}),
            ("language=PT-br", {"c"}),
            ("language=en&language=pt-BR&level=beginner", {"a", "c"}),
            ("max_duration=60", {"a", "d"}),
            ("max_duration=0", set()),
            ("level=beginner&language=en&topic=databases", {"a"}),
            ("level=beginner&language=en&topic=databases&max_duration=29", set()),
        ],
    )
    def test_the_filters_and_their_counts(self, api, editor_api, courses, who, query, slugs):
        client = api if who == "anonymous" else editor_api
        body = client.get(f"{LIST}?{query}").json()
        assert {c["slug"] for c in body["results"]} == slugs and body["count"] == len(slugs)

    def test_a_learners_narrowed_page_is_one_query(self, api, courses, django_assert_num_queries):
        # The count and the page's stored summaries together, from the filtered lists' indexes.
        with django_assert_num_queries(1):
            body = api.get(f"{LIST}?level=beginner&language=en&topic=Databases&max_duration=90").json()
        assert [c["slug"] for c in body["results"]] == ["a"] and body["count"] == 1

    def test_shortest_first_puts_unknown_durations_last(self, api, courses):
        body = api.get(f"{LIST}?ordering=duration_minutes").json()
        assert [c["slug"] for c in body["results"]] == ["a", "d", "b", "c"]

    @pytest.mark.parametrize(
        ("query", "name", "says"),
        [
            ("level=expert", "level", "'expert' is not a level: use beginner, intermediate, advanced"),
            ("language=english", "language", "'english' is not a BCP 47 language tag"),
            ("max_duration=1.5", "max_duration", "Give a whole number of minutes"),
            ("max_duration=-1", "max_duration", "greater than or equal to 0"),
        ],
    )
    def test_a_bad_filter_is_a_400_naming_it(self, api, editor_api, courses, query, name, says):
        for client in (api, editor_api):
            response = client.get(f"{LIST}?{query}")
            assert response.status_code == 400 and list(response.json()) == [name], response.content
            assert says in response.json()[name][0]

    def test_equivalent_spellings_are_one_cached_answer(self, api, courses):
        first = api.get(f"{LIST}?language=pt-br&level=beginner&max_duration=090")
        again = api.get(f"{LIST}?level=beginner&max_duration=90&language=PT-BR&level=beginner")
        assert first["X-Cache"] == "MISS" and again["X-Cache"] == "HIT" and again.json() == first.json()
