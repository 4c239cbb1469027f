"""Full-text search, the same for the working copies (editors) and the listings (learners).

A learner's words are read forgivingly (catalog.domain.spelling): each word of 5 letters or more also
matches the words of the catalog one edit away (two from 9 letters), found by trigram distance in the
table of the listings' words and kept only when a real edit distance allows them; the last word also
matches as a prefix and as the catalog's words it begins. A query written in websearch syntax (a
quoted phrase, -word, `or`) means exactly what it says.
"""

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery
from django.db import connection, connections
from django.db.models import BooleanField, ExpressionWrapper, IntegerField, Q, QuerySet
from django.db.models.expressions import RawSQL

from catalog.domain import spelling

MAX_WORDS = spelling.MAX_WORDS
CONFIG = "english"
CORRECTION_NEIGHBOURS = 30  # nearest words by trigram distance, checked by edit distance
COMPLETIONS = 16  # words of the catalog the last word may be the start of


def clean_query(text: str) -> str:
    return "".join(ch for ch in text if ch >= " " or ch in "\t\n").strip()


def websearch(text: str) -> SearchQuery:
    """Any input is a valid query: quoted phrases, -word, or."""
    return SearchQuery(spelling.fold(text), search_type="websearch", config=CONFIG)


@dataclass(frozen=True)
class Query:
    """A learner's search, ready for PostgreSQL: `full` matches, `exact` ranks first."""

    full: SearchQuery
    exact: SearchQuery
    terms: tuple[spelling.Term, ...] = ()
    sql: tuple[str, str] = ("", "")  # (tsquery function, its text): `full` for raw SQL (the excerpts)

    @property
    def words(self) -> list[str]:
        """Every word the query may match, for the excerpts."""
        return [w for term in self.terms for w in term.alternatives]


_LOOKUP = f"""
SELECT q.i, c.word FROM unnest(%s::text[]) WITH ORDINALITY AS q(w, i)
CROSS JOIN LATERAL (
    SELECT word FROM catalog_search_word
    WHERE length(word) BETWEEN length(q.w) - 2 AND length(q.w) + 2
    ORDER BY word <-> q.w LIMIT {CORRECTION_NEIGHBOURS}
) c
UNION ALL
SELECT 0, word FROM (
    SELECT word FROM catalog_search_word WHERE word LIKE %s ORDER BY word LIMIT {COMPLETIONS}
) p
UNION ALL
SELECT -s.i, s.w FROM unnest(%s::text[]) WITH ORDINALITY AS s(w, i) WHERE length(to_tsvector('{CONFIG}', s.w)) = 0
"""


def forgiving_terms(words: list[str], *, using: str = "default") -> list[spelling.Term]:
    """The query's words with their corrections and the last one's completions, in one query.

    A last word that is a stop word (`kubernetes in`, `intro t`) is left out when a word that is not one
    comes before it: the documents do not hold stop words, so as a prefix it could only demand one of the
    longer words it begins, and a learner who stopped typing there would lose every course. Alone, or
    after stop words only, it still matches the words it begins. (PostgreSQL drops the other stop words
    from a query itself.)"""
    last = len(words) - 1
    fuzzy = [w for w in words if spelling.correctable(w)]
    near: dict[int, list[str]] = {}
    with connections[using].cursor() as cursor:
        cursor.execute(_LOOKUP, [fuzzy, words[last] + "%", words])
        for i, word in cursor.fetchall():
            near.setdefault(i, []).append(word)
    corrections = {
        typed: [w for w in near.get(i, []) if spelling.within_reach(typed, w)] for i, typed in enumerate(fuzzy, 1)
    }
    stop = {-i - 1 for i in near if i < 0}  # the stop words' places
    if last in stop and len(stop) < len(words):  # a stop word typed last, after a word that is not one
        return [spelling.Term(word=word, corrections=tuple(corrections.get(word, ()))) for word in words[:last]]
    return [
        spelling.Term(
            word=word,
            corrections=tuple(corrections.get(word, ())),
            completions=tuple(w for w in near.get(0, []) if w != word) if i == last else (),
            prefix=i == last,
        )
        for i, word in enumerate(words)
    ]


def learner_query(text: str, *, using: str = "default") -> Query | None:
    """The PostgreSQL query of a learner's search text; None when it has no word."""
    if spelling.uses_operators(text):
        query = websearch(text)
        return Query(full=query, exact=query, sql=("websearch_to_tsquery", spelling.fold(text)))
    words = spelling.words(text)
    if not words:
        return None
    terms = forgiving_terms(words, using=using)
    text = spelling.tsquery(terms, forgiving=True)
    full = SearchQuery(text, search_type="raw", config=CONFIG)
    exact = SearchQuery(spelling.tsquery(terms, forgiving=False), search_type="raw", config=CONFIG)
    return Query(full=full, exact=exact, terms=tuple(terms), sql=("to_tsquery", text))


# A match's tier, the contract's ranking: 3 where a word matches in the title or topic (A), 2 in the unit
# and module titles (B), 1 only in the description (C) or the content (D); a query's rank is the sum of
# its words' tiers (a websearch query's, where all of it matches). Equal ranks newest first, however
# often a word comes back.
_TIER = "(CASE WHEN {a} THEN 3 WHEN {ab} THEN 2 ELSE 1 END)"


def tier_rank(column: str, query: Query) -> tuple[str, list]:
    """(the rank of the search document in `column` for `query`, as SQL; its parameters)."""
    function, text = query.sql
    if query.terms:  # each word of the forgiving query, restricted to the tiers' parts
        test = f"{column} @@ to_tsquery('{CONFIG}', %s)"
        rank = " + ".join(_TIER.format(a=test, ab=test) for _term in query.terms)
        return rank, [spelling.tsquery([term], forgiving=True, weight=w) for term in query.terms for w in ("A", "AB")]
    # websearch syntax: the query as written, on the tiers' parts of the document
    test = f"ts_filter({column}, '{{{{{{parts}}}}}}') @@ {function}('{CONFIG}', %s)"
    return _TIER.format(a=test.format(parts="a"), ab=test.format(parts="a,b")), [text, text]


def ranked(qs: QuerySet, query: Query, *, newest=("-created_at", "id")) -> QuerySet:
    """Exact words before corrected ones, then the tiers (tier_rank), then newest first: the learners'
    order (catalog.selectors.learners) for the editors' working copies."""
    sql, params = tier_rank(f'"{qs.model._meta.db_table}"."search_vector"', query)
    rank = RawSQL(sql, params, output_field=IntegerField())
    if not any(term.corrections for term in query.terms):
        return qs.annotate(rank=rank).order_by("-rank", *newest)  # every match is exact
    exact = ExpressionWrapper(Q(search_vector=query.exact), output_field=BooleanField())
    return qs.annotate(exact=exact, rank=rank).order_by("-exact", "-rank", *newest)


def search(qs: QuerySet, text: str, *, contains=(), extra=None) -> QuerySet:
    """Rows matching `text`, best match first.

    PostgreSQL uses the stored, GIN-indexed search document, forgiving like the learners' search
    (learner_query: the corrections come from the live catalog's words); SQLite, for the editors of
    `make run`, falls back to every word matching one of the `contains` fields (or the `extra(word)`
    condition).
    """
    text = clean_query(text)
    if not text:
        return qs
    if connection.vendor == "postgresql":
        query = learner_query(text, using=qs.db)
        if query is None:
            return qs.none()
        return ranked(qs.filter(search_vector=query.full), query)
    for word in text.split()[:MAX_WORDS]:
        condition = Q()
        for name in contains:
            condition |= Q(**{f"{name}__icontains": word})
        if extra is not None:
            condition |= extra(word)
        qs = qs.filter(condition)
    return qs


# How a search finds the newest listings that match a word, chosen per search from PostgreSQL's own
# estimate of how many match. A common word: walk the listings newest first until enough match (a
# few hundred rows for a word in every course). A rare one: its matches from the GIN index, then the
# newest of them. PostgreSQL's own choice goes wrong in between: for a word in one course in fifty it
# walked 27,000 listings (37 ms at 100,000 courses) where the index gave its 1,449 matches in 3 ms,
# because it costs testing a search document as if it were free. Walking reads about
# `wanted x listings / matches` rows at WALK_COST each, the index `matches` rows at INDEX_COST each
# (microseconds per row, measured: docs/benchmarks.md, issue 21).
WALK_COST = 1.4
INDEX_COST = 2.0


def walks(*, wanted: int, listings: float, matches: float) -> bool:
    """Whether walking the newest listings finds `wanted` matches sooner than reading all the matches."""
    if matches <= 0:
        return False
    return wanted * (listings / matches) * WALK_COST < matches * INDEX_COST


def estimated_rows(cursor, selects: list[str]) -> list[float] | None:
    """PostgreSQL's estimates of how many rows each of these SELECTs (values written in) gives, from
    their plans alone (nothing is run): one EXPLAIN each, sent together, each read at its plan's top
    node (a Gather's rows are all its workers'; a count's would be one per worker). None when a plan
    does not say."""
    cursor.execute("; ".join(f"EXPLAIN (FORMAT JSON) {sql}" for sql in selects))
    estimates = []
    try:
        while True:
            estimates.append(float(cursor.fetchone()[0][0]["Plan"]["Plan Rows"]))
            if not cursor.nextset():
                break
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    return estimates if len(estimates) == len(selects) else None


def newest_matching(source: str, condition: str, *, limit: int, walk: bool, columns: str = "b.pk") -> str:
    """SQL of `columns` of the `limit` newest rows of `source` (a FROM item aliased b, with `pk` and
    `created_at`) meeting `condition`: walking newest first, or (walk=False) from all the matches, which
    OFFSET 0 keeps PostgreSQL from walking instead."""
    if not walk:
        source = f"(SELECT * FROM {source} WHERE {condition} OFFSET 0) b"
        condition = "true"
    return f"SELECT {columns} FROM {source} WHERE {condition} ORDER BY b.created_at DESC, b.pk LIMIT {limit}"
