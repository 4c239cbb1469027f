"""Constant SQL: the number of queries of a list page or a detail does not grow with its size."""

import pytest
from django.db import connection

from catalog import services
from catalog.domain.records import clean_record
from tests.helpers.api import LIST, TOPICS, detail

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

# Token -> user (1) and that user's permissions, own and through groups (2).
AUTH = 3
# count, the page's ids, the page's rows (learners: the stored summaries and the next scheduled switch)
LIST_QUERIES = 3
# learners' newest courses, of one topic or all: the kept counts, then the page's summaries with the
# next scheduled switch in one query (no filter form, catalog.api.learners.newest_page)
NEWEST_PAGE_QUERIES = 2
# editors: the working copy with its release state, its units, their modules
DETAIL_QUERIES = 3
# learners: the stored document of the live release, with the course's next scheduled switch
LEARNER_DETAIL_QUERIES = 1
# the kept counts with the listings they lag behind (scheduled switches not recorded yet), the next switch,
# the shown topics' display names (one query, by primary key)
TOPICS_QUERIES = 3


@pytest.fixture
def hundred():
    records = [
        clean_record(
            {
                "slug": f"c-{i:03d}",
                "title": f"Course {i}",
                "topic": f"Topic {i % 7}",
                "status": "published",
                "units": [
                    {"title": "U1", "modules": [{"title": "M1"}, {"title": "M2"}]},
                    {"title": "U2", "modules": [{"title": "M3"}]},
                ],
            }
        )
        for i in range(100)
    ]
    services.courses_upsert(records=records)


@pytest.fixture
def small_and_large():
    def unit(n):
        return {"title": f"Unit {n}", "modules": [{"title": f"Module {n}.{m}"} for m in range(3)]}

    services.courses_upsert(
        records=[
            clean_record({"slug": "small", "title": "Small", "topic": "t", "status": "published", "units": [unit(1)]}),
            clean_record(
                {
                    "slug": "large",
                    "title": "Large",
                    "topic": "t",
                    "status": "published",
                    "units": [unit(n) for n in range(50)],
                }
            ),
        ]
    )


def count(django_assert_num_queries, client, url, expected):
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


class TestListQueries:
    @pytest.mark.parametrize(("client_fixture", "auth"), [("editor_api", AUTH), ("learner_api", AUTH), ("api", 0)])
    def test_a_page_of_1_and_of_100_cost_the_same(
        self, request, django_assert_num_queries, hundred, client_fixture, auth
    ):
        client = request.getfixturevalue(client_fixture)
        learner = client_fixture != "editor_api"
        for query, newest in [
            ("", True),
            ("&topic=Topic 1", True),
            ("&ordering=title", False),
            ("&topic=Topic 1&topic=Topic 2", False),
            ("&created_after=2000-01-01&ordering=-published_at", False),
        ]:
            queries = auth + (NEWEST_PAGE_QUERIES if learner and newest else LIST_QUERIES)
            one = count(django_assert_num_queries, client, f"{LIST}?page_size=1{query}", queries)
            many = count(django_assert_num_queries, client, f"{LIST}?page_size=100{query}", queries)
            assert len(one.json()["results"]) == 1 and len(many.json()["results"]) == many.json()["count"] > 1

    def test_a_search_page_too(self, django_assert_num_queries, api, editor_api, hundred):
        # Editors: the list's queries, and on PostgreSQL one more that corrects the words.
        # A learner's search on PostgreSQL: one query corrects the words, one asks PostgreSQL's estimate
        # of the matches (the plan only: catalog.selectors.search.walks), one finds, ranks and counts the
        # candidates with their facets, and one reads the page's summaries with their excerpts (`match`):
        # the candidates are the list, in order, so no query asks for the page's ids.
        # On SQLite the words are corrected in Python over the kept listings (no word-table query), and a
        # learner's search reads its matches and their facets in two more queries.
        postgres = connection.vendor == "postgresql"
        learner = 4 if postgres else LIST_QUERIES + 3
        for client, queries in ((editor_api, AUTH + LIST_QUERIES + postgres), (api, learner)):
            count(django_assert_num_queries, client, f"{LIST}?page_size=1&search=course", queries)
            count(django_assert_num_queries, client, f"{LIST}?page_size=100&search=course", queries)

    def test_the_last_page_costs_the_same(self, django_assert_num_queries, editor_api, hundred):
        count(django_assert_num_queries, editor_api, f"{LIST}?page_size=3&page=34", AUTH + LIST_QUERIES)


class TestDetailQueries:
    @pytest.mark.parametrize(
        ("client_fixture", "queries"),
        [("editor_api", AUTH + DETAIL_QUERIES), ("learner_api", AUTH + LEARNER_DETAIL_QUERIES), ("api", 1)],
    )
    def test_a_tree_of_1_and_of_50_units_cost_the_same(
        self, request, django_assert_num_queries, small_and_large, client_fixture, queries
    ):
        client = request.getfixturevalue(client_fixture)
        small = count(django_assert_num_queries, client, detail("small"), queries)
        large = count(django_assert_num_queries, client, detail("large"), queries)
        assert len(small.json()["units"]) == 1 and len(large.json()["units"]) == 50
        assert sum(len(u["modules"]) for u in large.json()["units"]) == 150


class TestHitsAndTopics:
    def test_hits_cost_no_sql_for_anonymous_and_only_auth_for_a_learner(
        self, django_assert_num_queries, api, learner_api, small_and_large
    ):
        for url in (f"{LIST}?page_size=100", detail("large"), TOPICS):
            api.get(url)
            count(django_assert_num_queries, api, url, 0)
            count(django_assert_num_queries, learner_api, url, AUTH)

    def test_topics_cost_the_same_whatever_the_catalog(self, django_assert_num_queries, api, editor_api, hundred):
        count(django_assert_num_queries, api, TOPICS, TOPICS_QUERIES)
        count(django_assert_num_queries, editor_api, TOPICS, AUTH + TOPICS_QUERIES)
