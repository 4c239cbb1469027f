"""?search=: PostgreSQL full-text over titles, description, topic and the tree; ranked; any input is safe."""

import pytest

from catalog.models import Course
from tests.factories import CourseFactory, tree
from tests.helpers.api import LIST, assert_json_error, detail, slugs

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def searchable():
    CourseFactory(
        slug="in-title", title="Quaternion basics", description="Nothing here.", status="published", units=tree(1)
    )
    CourseFactory(
        slug="in-description",
        title="Rotations",
        description="Uses a quaternion or two.",
        status="published",
        units=tree(1),
    )
    CourseFactory(
        slug="in-module",
        title="Geometry",
        status="published",
        units=[{"title": "Shapes", "modules": [{"title": "Circles"}, {"title": "Quaternion products"}]}],
    )
    CourseFactory(
        slug="in-unit",
        title="Algebra",
        status="published",
        units=[
            {"title": "Intro", "modules": [{"title": "x"}]},
            {"title": "Quaternion algebra", "modules": [{"title": "y"}]},
        ],
    )
    CourseFactory(slug="in-topic", title="Other", topic="Quaternion Studies", status="published", units=tree(1))
    CourseFactory(slug="hidden-draft", title="Quaternion secrets", units=tree(1))
    CourseFactory(slug="hidden-archived", title="Quaternion archive", status="archived", units=tree(1))
    CourseFactory(slug="unrelated", title="Pottery", description="Clay and glaze.", status="published", units=tree(1))


@pytest.mark.postgres_only
class TestSearchMatches:
    @pytest.mark.parametrize(
        ("word", "expected"),
        [
            ("products", ["in-module"]),  # only in one module's title
            ("circles", ["in-module"]),  # in the first module of the unit
            ("algebra", ["in-unit"]),  # a unit title (and the course title)
            ("studies", ["in-topic"]),  # the topic
            ("glaze", ["unrelated"]),  # the description
            ("pottery", ["unrelated"]),  # the title
        ],
    )
    def test_a_word_anywhere_in_the_course_finds_it(self, api, searchable, word, expected):
        assert slugs(api.get(LIST, {"search": word})) == expected

    def test_words_are_stemmed_and_case_does_not_matter(self, api, searchable):
        assert slugs(api.get(LIST, {"search": "QUATERNIONS"})) == slugs(api.get(LIST, {"search": "quaternion"}))
        assert slugs(api.get(LIST, {"search": "rotation"})) == ["in-description"]

    def test_learners_never_find_hidden_courses_editors_do(self, api, learner_api, editor_api, searchable):
        visible = {"in-title", "in-description", "in-module", "in-unit", "in-topic"}
        for client in (api, learner_api):
            assert set(slugs(client.get(LIST, {"search": "quaternion"}))) == visible
        everything = visible | {"hidden-draft", "hidden-archived"}
        assert set(slugs(editor_api.get(LIST, {"search": "quaternion"}))) == everything
        assert slugs(editor_api.get(LIST, {"search": "secrets", "status": "draft"})) == ["hidden-draft"]

    def test_count_and_pages_are_those_of_the_matches(self, api, searchable):
        body = api.get(LIST, {"search": "quaternion", "page_size": 2}).json()
        assert body["count"] == 5 and len(body["results"]) == 2 and "search=quaternion" in body["next"]
        rest = slugs(api.get(body["next"])) + slugs(api.get(api.get(body["next"]).json()["next"]))
        assert len(set(rest) | {c["slug"] for c in body["results"]}) == 5

    def test_search_combines_with_the_other_filters(self, api, searchable):
        assert slugs(api.get(LIST, {"search": "quaternion", "topic": "Quaternion studies"})) == ["in-topic"]
        assert slugs(api.get(LIST, {"search": "quaternion", "created_before": "2000-01-01"})) == []

    def test_no_match_is_an_empty_list(self, api, searchable):
        assert api.get(LIST, {"search": "xylophone"}).json() == {
            "count": 0,
            "next": None,
            "previous": None,
            "facets": {"topic": [], "level": [], "language": []},
            "results": [],
        }


@pytest.mark.postgres_only
class TestSearchRanking:
    def test_best_match_first_a_title_above_a_description(self, api, searchable):
        found = slugs(api.get(LIST, {"search": "quaternion"}))
        # The contract: title and topic, then unit and module titles, then description; ties newest first.
        assert found == ["in-topic", "in-title", "in-unit", "in-module", "in-description"]

    def test_editors_working_copies_rank_by_the_same_tiers_newest_first_within_one(self, editor_api):
        older = "Spinors in depth. Spinors everywhere."
        CourseFactory(slug="older", title="Spinor notes", description=older, status="draft", units=tree(1))
        CourseFactory(slug="newer", title="Spinor notes", description="Nothing here.", status="draft", units=tree(1))
        CourseFactory(
            slug="unit", title="Other", status="draft", units=[{"title": "Spinors", "modules": [{"title": "M"}]}]
        )
        found = slugs(editor_api.get(LIST, {"search": "spinor", "status": "draft"}))
        assert found == ["newer", "older", "unit"]  # the description's repeats do not lift the older one

    def test_ranking_beats_recency(self, api, searchable):
        # The description-only match is newer than the title match; rank still puts the title first.
        CourseFactory(
            slug="newest", title="Pottery again", description="A quaternion aside.", status="published", units=tree(1)
        )
        found = slugs(api.get(LIST, {"search": "quaternion"}))
        assert found.index("in-title") < found.index("newest")

    @pytest.mark.parametrize(
        ("ordering", "expected"),
        [
            ("title", ["in-unit", "in-module", "in-topic", "in-title", "in-description"]),
            ("-title", ["in-description", "in-title", "in-topic", "in-module", "in-unit"]),
            ("created_at", ["in-title", "in-description", "in-module", "in-unit", "in-topic"]),
            ("-published_at", ["in-topic", "in-unit", "in-module", "in-description", "in-title"]),
        ],
    )
    def test_with_ordering_given_ordering_wins(self, api, searchable, ordering, expected):
        assert slugs(api.get(LIST, {"search": "quaternion", "ordering": ordering})) == expected


@pytest.mark.postgres_only
class TestSearchFollowsWrites:
    def test_tree_title_and_topic_edits_are_searchable_at_once(
        self, editor_api, api, searchable, django_capture_on_commit_callbacks
    ):
        body = {
            "title": "Geometry",
            "topic": "Maths",
            "status": "published",
            "units": [{"title": "Shapes", "modules": [{"title": "Octonions"}]}],
        }
        published = {"status": "published"}
        with django_capture_on_commit_callbacks(execute=True):
            assert editor_api.put(detail("in-module"), body, format="json").status_code == 200
            response = editor_api.patch(detail("in-title"), {"title": "Spinor basics", **published}, format="json")
            assert response.status_code == 200
            response = editor_api.patch(detail("unrelated"), {"topic": "Ceramic Arts", **published}, format="json")
            assert response.status_code == 200
        assert slugs(api.get(LIST, {"search": "octonions"})) == ["in-module"]
        assert slugs(api.get(LIST, {"search": "spinor"})) == ["in-title"]
        assert slugs(api.get(LIST, {"search": "ceramic"})) == ["unrelated"]
        assert "in-module" not in slugs(api.get(LIST, {"search": "products"}))
        assert "in-title" not in slugs(api.get(LIST, {"search": "quaternion"}))

    def test_a_course_created_through_the_api_is_searchable(self, editor_api, api, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            editor_api.post(
                LIST,
                {
                    "slug": "fresh",
                    "title": "Fresh",
                    "topic": "t",
                    "units": [{"title": "U", "modules": [{"title": "Zeppelins"}]}],
                },
                format="json",
            )
            editor_api.post(detail("fresh") + "publish/")
        assert slugs(api.get(LIST, {"search": "zeppelin"})) == ["fresh"]


@pytest.mark.embedded
class TestSearchInput:
    """Odd input is a query like any other (200), never a server error; only length is refused."""

    ODD = [
        '"quaternion basics"',
        "quaternion -rotations",
        "sql -joins",
        "or",
        "and",
        "not",
        "-",
        "--",
        '"',
        "'",
        '"unclosed',
        "&|!:*",
        "&|!:*()<->",
        "quaternion:*",
        "a & b",
        "!quaternion",
        "(((",
        "\\",
        "%",
        "_",
        "a" * 500,
        "quaternion " * 45,
        "\u00e9t\u00e9 caf\u00e9",
        "\u6570\u636e\u5e93",
        "\U0001f680" * 500,
        "  ",
        "\t\n",
        "\x01\x02\x1f",
        "a\x7fb",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "$$",
        "\u200b",
        "\ufeff",
        "\u202e",
        " " * 500,
    ]

    def test_any_text_up_to_500_characters_is_answered(self, api, editor_api, searchable):
        for text in self.ODD:
            for client in (api, editor_api):
                response = client.get(LIST, {"search": text})
                assert response.status_code == 200, (text, response.content[:300])
                # A learner's search answer carries facets (the contract's "Search"); the editors' list does not.
                assert set(response.json()) - {"facets"} == {"count", "next", "previous", "results"}

    @pytest.mark.postgres_only
    def test_operators_mean_what_websearch_says(self, api, searchable):
        assert slugs(api.get(LIST, {"search": '"quaternion basics"'})) == ["in-title"]
        assert "in-description" not in slugs(api.get(LIST, {"search": "quaternion -rotations"}))
        assert set(slugs(api.get(LIST, {"search": "pottery or geometry"}))) == {"unrelated", "in-module"}

    def test_501_characters_are_400_naming_search(self, api, searchable):
        for text in ["a" * 501, "\U0001f680" * 501, "quaternion " * 46]:
            assert_json_error(api.get(LIST, {"search": text}), 400, "search")
        assert_json_error(api.get(LIST + "?search=" + "a" * 10_000), 400, "search")

    def test_nul_is_400_naming_search(self, api, searchable):
        assert_json_error(api.get(LIST, {"search": "a\x00b"}), 400, "search")

    def test_the_500_character_limit_is_on_the_trimmed_text(self, api, searchable):
        assert api.get(LIST, {"search": "  " + "a" * 500 + "  "}).status_code == 200

    def test_no_hidden_course_is_found_by_anyone_but_editors(self, api, searchable):
        for text in ["secrets", "archive", "quaternion secrets", "hidden"]:
            assert not {"hidden-draft", "hidden-archived"} & set(slugs(api.get(LIST, {"search": text})))
        assert Course.objects.filter(slug__startswith="hidden").count() == 2


@pytest.mark.postgres_only
class TestBoundedSearch:
    """A search ranks its best candidates only, so its cost does not grow with how many courses match."""

    @pytest.fixture
    def many(self, monkeypatch):
        from catalog.selectors import learners

        monkeypatch.setattr(learners, "CANDIDATES", 5)
        records = [
            {
                "slug": f"common-{i:02d}",
                "title": f"Gardening {i:02d}",
                "description": "A course about soil.",
                "topic": "Garden",
                "status": "published",
                "units": tree(1),
            }
            for i in range(12)
        ]
        # The oldest course has the word in its title: a strong match, never crowded out by newer weak ones.
        records.insert(
            0,
            {
                "slug": "title-match",
                "title": "Soil science",
                "description": "Dirt.",
                "topic": "Garden",
                "status": "published",
                "units": tree(1),
            },
        )
        for record in records:
            CourseFactory(**record)

    def test_a_strong_match_comes_first_however_old(self, api, many):
        assert slugs(api.get(LIST, {"search": "soil"}))[0] == "title-match"

    def test_more_matches_than_ranked_are_said_and_the_count_is_what_can_be_paged(self, api, many):
        body = api.get(LIST, {"search": "soil", "page_size": 100}).json()
        assert body["count_capped"] is True
        assert body["count"] == len(body["results"]) == 6  # the 5 newest matches and the strong one
        narrow = api.get(LIST, {"search": "science"}).json()
        assert "count_capped" not in narrow and narrow["count"] == 1

    def test_other_filters_choose_before_the_search_ranks(self, api, many):
        CourseFactory(
            slug="elsewhere",
            title="Elsewhere",
            description="Soil too.",
            topic="Other",
            status="published",
            units=tree(1),
        )
        assert slugs(api.get(LIST, {"search": "soil", "topic": "Other"})) == ["elsewhere"]


@pytest.mark.postgres_only
class TestTheSearchedPage:
    """A search with nothing else asked is answered without the FilterSet (catalog.api.learners.
    searched_page): its answers and errors are the FilterSet's own, byte for byte."""

    QUERIES = [
        {"search": "quaternion"},
        {"search": "  Quaternion  ", "page_size": "2"},
        {"search": "quaternion", "page_size": "2", "page": "2"},
        {"search": "quaternion", "page_size": "2", "page": "3"},
        {"search": "quaternion", "page_size": "2", "page": "4"},  # past the end: the 404
        {"search": "quaternion", "page": "0"},  # the page's 400
        {"search": "quaternion", "page": "x", "page_size": "1000"},  # the page's 400 before the size's
        {"search": "quaternion", "page_size": "0"},
        {"search": "quaterniom"},  # corrected
        {"search": "quat"},  # completed
        {"search": '"quaternion products"'},  # websearch syntax
        {"search": "quaternion -algebra"},
        {"search": "pottery", "status": "draft"},  # a learner's status is ignored
        {"search": "zzzzzz"},  # no match: an empty page
        {"search": "!!!"},  # no word
        {"search": "   "},  # no search: the newest page
        {"search": "a" * 501},  # the filter's 400
        {"search": "a\x00b"},
        {"search": "x", "utm_source": "mail"},  # a parameter no filter reads
    ]

    @staticmethod
    def answer(api, params):
        response = api.get(LIST, params)
        return response.status_code, response.content, response.get("Cache-Control")

    @pytest.mark.parametrize("candidates", [500, 2])  # 2: "quaternion" matches more than it ranks
    def test_it_answers_what_the_filters_answer(self, api, searchable, monkeypatch, settings, candidates):
        settings.CATALOG_CACHE_ENABLED = False
        from catalog.api import learners
        from catalog.selectors import learners as selected

        monkeypatch.setattr(selected, "CANDIDATES", candidates)

        quick = [self.answer(api, params) for params in self.QUERIES]
        monkeypatch.setattr(learners, "searched_page", lambda request: None)
        for params, answered in zip(self.QUERIES, quick, strict=True):
            assert answered == self.answer(api, params), params
        statuses = [status for status, *_ in quick]
        if candidates == 2:
            assert b'"count_capped":true' in quick[0][1]
            assert statuses[:3] == [200, 200, 404]  # the newest 2 ranked, title matches among them
        else:
            assert statuses == [200] * 4 + [404, 400, 400, 400] + [200] * 8 + [400] * 2 + [200]

    def test_it_is_taken_for_a_search_alone_and_only_then(self, api, searchable, settings, monkeypatch):
        settings.CATALOG_CACHE_ENABLED = False
        from catalog.api import learners

        built = []

        class Counted(learners.ListingFilter):
            def __init__(self, *args, **kwargs):
                built.append(1)
                super().__init__(*args, **kwargs)

        monkeypatch.setattr(learners, "ListingFilter", Counted)
        for params in ({"search": "quaternion", "page_size": 2}, {"search": "quaterniom"}, {"search": "x", "utm": "y"}):
            assert api.get(LIST, params).status_code == 200
        assert built == []
        for params in ({"search": "quaternion", "ordering": "title"}, {"search": "quaternion", "topic": "other"}):
            assert api.get(LIST, params).status_code == 200
        assert built == [1, 1]
