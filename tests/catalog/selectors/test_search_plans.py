"""A search finds the newest listings that match a word either by walking the newest listings (a common
word) or from the GIN index (a rare one), chosen per search from PostgreSQL's estimate of the matches
(catalog.selectors.search.walks). Both ways must give learners the same answer."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog import services
from catalog.selectors import learners, search, suggestions
from catalog.selectors.learners import listings_live, search_candidates
from catalog.selectors.suggestions import learner_suggestions
from tests.factories import CourseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]

# (slug, title, topic, module content): "origami" is in every course, "crane" in some titles and some
# content, "kite" in one course's content only.
COURSES = [
    ("paper-cranes", "Paper cranes", "Crafts", "Fold a crane from a square."),
    ("crane-operation", "Crane operation", "Engineering", "Loads, booms and origami-like folding arms."),
    ("boxes", "Folded boxes", "Crafts", "A crane box and a star box."),
    ("masks", "Paper masks", "Crafts", "Masks for the stage."),
    ("kites", "Wind and paper", "Crafts", "Build a kite that flies."),
    ("flowers", "Paper flowers", "Crafts", "Lilies and roses."),
    ("bridges", "Paper bridges", "Engineering", "Spans that carry a crane model."),
    ("animals", "Origami animals", "Crafts", "Frogs that jump."),
]
QUERIES = ["origami", "crane", "cran", "paper cra", "crane origami", "kite", "kitr", '"paper crane"', "zzyzx"]


@pytest.fixture
def catalog():
    for slug, title, topic, content in COURSES:
        units = [{"title": "Unit", "modules": [{"title": "Module", "content": content}]}]
        description = f"An origami course about {title.lower()}."
        CourseFactory(slug=slug, title=title, topic=topic, description=description, status="published", units=units)


def forced(monkeypatch, walk: bool, *, candidates: int = 3):
    """Every part of a search and of the suggestions found one way, with few candidates (so the bounds bite)."""
    monkeypatch.setattr(learners, "walks", lambda **counts: walk)
    monkeypatch.setattr(suggestions, "walks", lambda **counts: walk)
    monkeypatch.setattr(learners, "CANDIDATES", candidates)
    monkeypatch.setattr(suggestions, "CANDIDATES", candidates)


def answers(topic=None):
    live = listings_live()
    if topic:
        live = live.filter(topic=topic)
    found = {}
    for text in QUERIES:
        c = search_candidates(live, text)
        found[text] = (c.ids, c.capped, c.topics, c.levels, c.languages, learner_suggestions(text=text))
    return found


class TestBothWaysAgree:
    @pytest.mark.parametrize("topic", [None, "crafts"])
    def test_walking_and_reading_the_index_find_the_same_candidates(self, catalog, monkeypatch, topic):
        forced(monkeypatch, walk=True)
        walked = answers(topic)
        forced(monkeypatch, walk=False)
        assert answers(topic) == walked
        # The bounds bit: a word in every course was capped to the newest strong and other matches.
        ids, capped, topics = walked["origami"][:3]
        assert capped is True and 3 <= len(ids) <= 6
        assert walked["kite"][0] and walked["kite"][1] is False

    def test_the_newest_matches_are_kept_when_more_match_than_are_ranked(self, catalog, monkeypatch):
        for walk in (True, False):
            forced(monkeypatch, walk=walk, candidates=2)
            ids = search_candidates(listings_live(), "paper").ids
            newest = list(listings_live().filter(title__icontains="paper").values_list("pk", flat=True)[:2])
            assert set(newest) <= set(ids), walk

    def test_a_negated_word_drops_a_course_whose_content_has_it_either_way(self, catalog, monkeypatch):
        # "Paper bridges" has "paper" in its title and "crane" in its content.
        found = []
        for walk in (True, False):
            forced(monkeypatch, walk=walk, candidates=500)
            found.append(search_candidates(listings_live(), "-crane paper").ids)
        titles = set(listings_live().filter(pk__in=found[0]).values_list("slug", flat=True))
        assert found[0] == found[1] and titles == {"masks", "kites", "flowers"}

    def test_a_negated_word_keeps_the_strong_matches_either_way_when_more_match(self, monkeypatch):
        # Oldest first: two titles that match, three courses with the word in their content only, then
        # three titles that match whose content has the excluded word.
        def course(slug, title, content):
            units = [{"title": "Unit", "modules": [{"title": "Module", "content": content}]}]
            CourseFactory(slug=slug, title=title, description="A course.", status="published", units=units)

        for n in (1, 2):
            course(f"t{n}", f"Paper folding {n}", "Squares and corners.")
        for n in (1, 2, 3):
            course(f"d{n}", f"Folding {n}", "Bring some paper.")
        for n in (1, 2, 3):
            course(f"n{n}", f"Paper engineering {n}", "Lift it with a crane.")
        found = []
        for walk in (True, False):
            forced(monkeypatch, walk=walk, candidates=3)
            ids = search_candidates(listings_live(), "paper -crane").ids
            found.append(set(listings_live().filter(pk__in=ids).values_list("slug", flat=True)))
        assert found[0] == found[1] == {"t1", "t2", "d1", "d2", "d3"}


# Settings under which PostgreSQL plans a read of the listings in parallel, whatever the table's size.
PARALLEL_SCANS = {
    "parallel_setup_cost": 0,
    "parallel_tuple_cost": 0,
    "min_parallel_table_scan_size": 0,
    "enable_indexonlyscan": "off",
    "enable_indexscan": "off",
    "enable_bitmapscan": "off",
}


class TestTheChoice:
    def test_a_common_word_walks_and_a_rare_one_reads_the_index(self):
        # Figures of the 100,000-course bench (80,056 live): `course` is in every listing, `security` in
        # 11,650, `kubernetes` in 1,449 (docs/benchmarks.md, issue 21).
        assert search.walks(wanted=500, listings=80_056, matches=80_056) is True
        assert search.walks(wanted=500, listings=80_056, matches=11_650) is True
        assert search.walks(wanted=500, listings=80_056, matches=1_449) is False
        assert search.walks(wanted=500, listings=80_056, matches=0) is False
        # A small catalog reads the index: walking would read all of it anyway.
        assert search.walks(wanted=500, listings=300, matches=300) is False

    def test_the_estimates_are_postgresqls_plans_not_a_count(self):
        with connection.cursor() as cursor:
            rows = search.estimated_rows(
                cursor, ["SELECT 1 FROM generate_series(1, 1000)", "SELECT 1 FROM generate_series(1, 20)"]
            )
        assert rows == [1000.0, 20.0]

    def test_a_parallel_plan_gives_the_same_estimates(self, catalog):
        # A count planned in parallel estimates one row per worker at its top: the estimates are read
        # from the SELECTs' own plans, whose top (a Gather) counts every worker's rows.
        selects = ["SELECT 1 FROM catalog_listing", "SELECT 1 FROM catalog_listing WHERE title_vector @@ 'crane'"]
        with connection.cursor() as cursor:
            alone = search.estimated_rows(cursor, selects)
            # Once autovacuum has marked the table's pages all-visible, an index-only scan (no Gather)
            # is cheaper still: the scans by index are taken away too.
            for setting, value in PARALLEL_SCANS.items():
                cursor.execute(f"SET {setting} = {value}")
            try:
                cursor.execute("EXPLAIN (FORMAT JSON) SELECT count(*) FROM catalog_listing")
                plan = str(cursor.fetchone()[0])
                in_parallel = search.estimated_rows(cursor, selects)
            finally:
                for setting in PARALLEL_SCANS:
                    cursor.execute(f"RESET {setting}")
        if "Gather" not in plan:  # the shape this test is about; some sessions of a long run plan none
            pytest.skip(f"PostgreSQL planned no parallel scan here, even made free: {plan[:200]}")
        assert in_parallel == alone and alone[0] >= len(COURSES) - 1

    def test_the_sql_of_each_way(self):
        walked = search.newest_matching("t b", "b.x", limit=5, walk=True)
        indexed = search.newest_matching("t b", "b.x", limit=5, walk=False)
        assert walked == "SELECT b.pk FROM t b WHERE b.x ORDER BY b.created_at DESC, b.pk LIMIT 5"
        assert indexed == (
            "SELECT b.pk FROM (SELECT * FROM t b WHERE b.x OFFSET 0) b WHERE true "
            "ORDER BY b.created_at DESC, b.pk LIMIT 5"
        )


class TestSuggestionsFromTheTitlesWords:
    """One word being typed is read from the titles' words (TitleWord), each stem's newest titles from
    its index; it must suggest what reading the titles does, either way, bounds included."""

    WORDS = ["cran", "crane", "cranes", "cranne", "p", "pa", "paper", "pape", "f", "fold", "origami", "kite", "the"]
    WORDS += ["wind", "wnid", "runni", "zzyzx", "opera", "operatoin", "in", "a"]

    @pytest.fixture
    def more(self, catalog):
        for slug, title in [("running", "Running cranes"), ("opera", "Opera in paper"), ("the", "The paper kite")]:
            CourseFactory(slug=slug, title=title, topic="Crafts", status="published")

    def suggested(self, monkeypatch, *, lexemes, walk=True, candidates=3, now=None):
        forced(monkeypatch, walk=walk, candidates=candidates)
        monkeypatch.setattr(suggestions, "LEXEMES", lexemes)
        found = {}
        with CaptureQueriesContext(connection) as queries:
            for word in self.WORDS:
                found[word] = learner_suggestions(text=word, now=now)
        return found, sum("EXPLAIN" in q["sql"] for q in queries.captured_queries)

    @pytest.mark.parametrize("candidates", [2, 3, 100])
    def test_the_words_and_the_titles_suggest_the_same(self, more, monkeypatch, candidates):
        by_words, estimated = self.suggested(monkeypatch, lexemes=suggestions.LEXEMES, candidates=candidates)
        assert estimated == 0  # every word here begins few stems: none read the titles
        for walk in (True, False):
            by_titles, estimated = self.suggested(monkeypatch, lexemes=-1, walk=walk, candidates=candidates)
            assert estimated == len(self.WORDS)
            assert by_titles == by_words
        assert [s["slug"] for s in by_words["runni"]] == ["running"]  # "running" is stored as its stem, run
        cranes = {s["slug"] for s in by_words["cranne"]}  # a typo: the newest `candidates` titles with crane
        assert cranes <= {"paper-cranes", "crane-operation", "running"} and len(cranes) == min(candidates, 3)
        assert by_words["zzyzx"] == by_words["the"] == []

    def test_one_word_is_one_statement_and_a_typo_two(self, more, monkeypatch):
        # The completions, the nearest words, the suggestions and the next switch come in one call; a
        # word with a correction within reach is asked again with it.
        for word, statements in [("cran", 1), ("origami", 1), ("zzyzx", 1), ("cranne", 2), ("wnid", 1)]:
            with CaptureQueriesContext(connection) as queries:
                learner_suggestions(text=word)
            assert len(queries.captured_queries) == statements, word
            assert all("catalog_suggest" in q["sql"] for q in queries.captured_queries)
        # A stop word typed after a word leaves that word alone, whole: its corrections, then one call.
        for text in ("crane in", "cranne in"):
            with CaptureQueriesContext(connection) as queries:
                found = learner_suggestions(text=text)
            assert [q["sql"].count("catalog_suggest") for q in queries.captured_queries] == [0, 1], text
            monkeypatch.setattr(suggestions, "LEXEMES", -1)  # the titles answer instead: the same
            assert found == learner_suggestions(text=text) and len(found) == 3
            monkeypatch.undo()

    def test_a_word_that_begins_too_many_stems_reads_the_titles(self, more, monkeypatch):
        # "p" begins "paper" only, "f" begins "fold" and "flower": past a bound of one, "f" reads the titles.
        bounded, estimated = self.suggested(monkeypatch, lexemes=1)
        assert estimated == 1 and bounded["f"]
        assert bounded == self.suggested(monkeypatch, lexemes=suggestions.LEXEMES)[0]

    def test_a_scheduled_title_is_suggested_from_its_time_either_way(self, catalog, monkeypatch):
        units = [{"title": "Unit", "modules": [{"title": "Module"}]}]
        coming = CourseFactory(slug="helm", title="Helm charts", status="draft", units=units)
        at = timezone.now() + dt.timedelta(hours=1)
        services.course_schedule(course=coming, publish_at=at)
        for lexemes in (suggestions.LEXEMES, -1):
            monkeypatch.setattr(suggestions, "LEXEMES", lexemes)
            assert learner_suggestions(text="helm") == []
            # Its switch has come but nothing has recorded it: the window says it is live.
            assert [s["slug"] for s in learner_suggestions(text="helm", now=at + dt.timedelta(minutes=1))] == ["helm"]

    def test_a_stop_word_typed_last_leaves_the_word_before_it_whole(self, monkeypatch):
        # "java in": "in" is left out, and "java" is a word, not the start of the newer JavaScript titles.
        CourseFactory(slug="java", title="Java basics", status="published")
        for n in (1, 2, 3):
            CourseFactory(slug=f"js{n}", title=f"JavaScript part {n}", status="published")
        for lexemes in (suggestions.LEXEMES, -1):
            forced(monkeypatch, walk=True, candidates=2)
            monkeypatch.setattr(suggestions, "LEXEMES", lexemes)
            assert [s["slug"] for s in learner_suggestions(text="java in")] == ["java"]
            assert [s["slug"] for s in learner_suggestions(text="java")] == ["js3", "js2"]  # the newest two

    def test_a_title_with_two_stems_the_word_begins_is_suggested_once(self, catalog):
        CourseFactory(slug="runners", title="Running runners", status="published")
        assert [s["slug"] for s in learner_suggestions(text="run")] == ["runners"]

    def test_a_word_postgresql_splits_in_two_reads_the_titles(self, monkeypatch):
        # U+09F4 is a letter of a word to Python and a break to PostgreSQL's parser: to_tsquery reads a
        # phrase, which the titles' words cannot check.
        CourseFactory(slug="ab", title="ab\u09f4cd notes", status="published")
        CourseFactory(slug="apart", title="ab and cd", status="published")
        with CaptureQueriesContext(connection) as queries:
            found = learner_suggestions(text="ab\u09f4cd")
        assert any("EXPLAIN" in q["sql"] for q in queries.captured_queries)
        monkeypatch.setattr(suggestions, "LEXEMES", -1)
        assert found == learner_suggestions(text="ab\u09f4cd") and [s["slug"] for s in found] == ["ab"]
