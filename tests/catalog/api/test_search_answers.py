"""What a search answer carries besides its results: each result's `match` and the `facets`."""

import pytest

from tests.factories import CourseFactory
from tests.helpers.api import LIST

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def courses():
    CourseFactory(
        slug="cafe",
        title="Café <b>management</b>",
        topic="Business",
        level="beginner",
        language="fr",
        description="Running a small café & bar: suppliers and staffing.",
        status="published",
        units=[{"title": "Unit", "modules": [{"title": "Machines", "content": "Descaling the espresso machine."}]}],
    )
    CourseFactory(
        slug="ledgers",
        title="Accounting",
        topic="Business",
        description="Ledgers for a café.",
        status="published",
        units=[{"title": "Unit", "modules": [{"title": "Tax", "content": "x " * 400 + "Quarterly espresso."}]}],
    )
    CourseFactory(slug="other", title="Espresso art", topic="Arts", level="advanced", status="published")


def results(response):
    return {r["slug"]: r for r in response.json()["results"]}


class TestMatch:
    def test_the_matched_words_are_marked_and_everything_else_escaped(self, api, courses):
        match = results(api.get(LIST, {"search": "cafe"}))["cafe"]["match"]
        assert "<mark>Café</mark>" in match
        assert "<b>" not in match and "&lt;b&gt;management&lt;/b&gt;" in match  # escaped, not left out
        assert "&amp;" in match or "bar" not in match

    def test_text_that_looks_like_markup_is_shown_escaped(self, api):
        CourseFactory(
            slug="generics",
            title="Java generics: List<String> and Map<K, V>",
            description="Use List<T> safely & well <!-- note --> <br> end.",
            status="published",
        )
        match = results(api.get(LIST, {"search": "generics"}))["generics"]["match"]
        assert match.startswith("Java <mark>generics</mark>: List&lt;String&gt; and Map&lt;K, V&gt; — ")
        assert "Use List&lt;T&gt; safely &amp; well &lt;!-- note" in match

    def test_a_long_word_is_cut_near_the_limit(self, api):
        CourseFactory(slug="long", title="Quokka", description="quokka " + "x" * 1000, status="published")
        match = results(api.get(LIST, {"search": "quokka"}))["long"]["match"]
        text = match.replace("<mark>", "").replace("</mark>", "")
        assert "<mark>Quokka</mark>" in match and len(text) <= 230 and text.endswith("…")

    def test_a_course_found_by_its_topic_shows_the_topic_marked(self, api):
        CourseFactory(slug="epsilon", title="Epsilon", topic="Zeppelin", description="x", status="published")
        match = results(api.get(LIST, {"search": "zeppelin"}))["epsilon"]["match"]
        assert "<mark>Zeppelin</mark>" in match and match.startswith("Epsilon")

    def test_a_typo_and_a_prefix_mark_the_words_they_found(self, api, courses):
        assert "<mark>espresso</mark>" in results(api.get(LIST, {"search": "expresso"}))["cafe"]["match"]
        assert "<mark>Descaling</mark>" in results(api.get(LIST, {"search": "descal"}))["cafe"]["match"]

    def test_an_excerpt_is_short_and_shows_where_the_word_is(self, api, courses):
        match = results(api.get(LIST, {"search": "quarterly"}))["ledgers"]["match"]
        assert "<mark>Quarterly</mark>" in match
        assert len(match.replace("<mark>", "").replace("</mark>", "")) <= 220

    def test_no_search_no_match(self, api, courses):
        assert all("match" not in r for r in api.get(LIST).json()["results"])


class TestFacets:
    def test_topics_are_counted_over_every_match_not_the_page(self, api, courses):
        body = api.get(LIST, {"search": "espresso", "page_size": 1}).json()
        assert body["facets"]["topic"] == [{"value": "business", "count": 2}, {"value": "arts", "count": 1}]

    def test_levels_and_languages_are_counted_over_every_match(self, api, courses):
        facets = api.get(LIST, {"search": "espresso", "page_size": 1}).json()["facets"]
        # A course that says no level is not counted under one; every course has a language.
        assert facets["level"] == [{"value": "advanced", "count": 1}, {"value": "beginner", "count": 1}]
        assert facets["language"] == [{"value": "en", "count": 2}, {"value": "fr", "count": 1}]

    def test_facets_count_only_the_matches(self, api, courses):
        facets = api.get(LIST, {"search": "descaling"}).json()["facets"]
        assert facets == {
            "topic": [{"value": "business", "count": 1}],
            "level": [{"value": "beginner", "count": 1}],
            "language": [{"value": "fr", "count": 1}],
        }

    def test_level_and_language_are_lists_even_when_empty(self, api, courses):
        facets = api.get(LIST, {"search": "zzzzzz"}).json()["facets"]
        assert facets == {"topic": [], "level": [], "language": []}

    def test_a_list_without_search_has_no_facets(self, api, courses):
        assert "facets" not in api.get(LIST, {"topic": "business", "ordering": "title"}).json()
