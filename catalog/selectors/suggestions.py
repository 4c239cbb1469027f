"""As-you-type suggestions: live courses whose titles match the text typed so far."""

import datetime as dt

from django.db import connection, connections, router
from django.utils import timezone

from catalog.db.sql import live_window
from catalog.domain import spelling
from catalog.models import Listing
from catalog.selectors.embedded_search import embedded_search
from catalog.selectors.learners import earliest, listings_live, next_switch
from catalog.selectors.search import (
    COMPLETIONS,
    CONFIG,
    CORRECTION_NEIGHBOURS,
    estimated_rows,
    forgiving_terms,
    newest_matching,
    walks,
)

SUGGESTIONS = 8
# The newest CANDIDATES live listings whose title matches (title_vector's weight A is the title alone),
# then exact before corrected, newest first: bounded however many titles share a word. (A title is one
# tier of search's ranking: how often a word comes back does not count, as in search.)
CANDIDATES = 100
# One word being typed, the usual case, is read from the titles' words (TitleWord): each stem it may
# match gives its newest live titles from the index, in order, without reading a listing. A word that
# begins more than LEXEMES stems (a letter or two typed), and several words (whose titles the GIN index
# intersects cheaply), are read from the listings' titles instead: by walking the newest listings or
# from the GIN index, as PostgreSQL's estimate of the matches says.
LEXEMES = 24
_LIVE = (
    f'(SELECT l.id AS pk, l.slug, l.title, l.topic, l.created_at, l.title_vector FROM "{Listing._meta.db_table}" l '
    f"WHERE {live_window('l')}) b"
)
_MATCHES = f"b.title_vector @@ to_tsquery('{CONFIG}', %s)"
_SQL = f"""
WITH c AS ({{newest}})
SELECT slug, title, topic FROM c
ORDER BY c.title_vector @@ to_tsquery('{CONFIG}', %s) DESC, c.created_at DESC, c.pk
LIMIT {SUGGESTIONS}
"""


# One word being typed, the usual case, is answered by one call of catalog_suggest (migration 0023): its
# completions and nearest words, its suggestions from the titles' words, and when the view next changes
# by itself, with one plan kept for every word. Its nearest words are checked by edit distance here; when
# some are within reach (a typo), a second call suggests with them. A word left alone by a stop word
# typed after it (`java in`, search.forgiving_terms) is asked whole, with its corrections already known.
_SUGGEST_SQL = "SELECT * FROM catalog_suggest(%s, %s, %s, %s, %s, %s, %s, %s, %s)"


def learner_suggestions(*, text: str, now=None) -> list[dict]:
    """Up to SUGGESTIONS of {"slug", "title", "topic"}, best first; none for a text without words."""
    return learner_suggest(text=text, now=now)[0]


def learner_suggest(*, text: str, now=None) -> tuple[list[dict], dt.datetime | None]:
    """(learner_suggestions, when any course's view next changes by itself)."""
    words = spelling.words(text)
    now = now or timezone.now()
    if not words or connection.vendor != "postgresql":
        found = embedded_search(listings_live(now=now), text, strong=("title",), weak=()) if words else None
        rows = [] if found is None else list(found.values_list("slug", "title", "topic")[:SUGGESTIONS])
        return _suggestions(rows), next_switch(now=now)
    database = connections[router.db_for_read(Listing)]
    with database.cursor() as cursor:
        terms = [words[0]] if len(words) == 1 else forgiving_terms(words, using=database.alias)
        if len(terms) == 1:
            rows, term, switches = _one_word(cursor, terms[0], now=now)
            if rows is None:  # the word begins too many stems, or PostgreSQL splits it: read the titles
                rows = _by_titles(cursor, database, [term], now=now)
            return _suggestions(rows), earliest(*switches)
        rows = _by_titles(cursor, database, terms, now=now)
    return _suggestions(rows), next_switch(now=now)


def _one_word(cursor, word: str | spelling.Term, *, now) -> tuple[list[tuple] | None, spelling.Term, list]:
    """(the suggestions of one word from catalog_suggest, None when the titles must answer; the word as a
    Term; when the view next changes by itself). A str is a word being typed, a Term a whole word whose
    corrections are known."""
    bounds = [LEXEMES, CANDIDATES, SUGGESTIONS]
    if isinstance(word, spelling.Term):
        term = word
        cursor.execute(_SUGGEST_SQL, [term.word, False, list(term.corrections), now, 0, 0, *bounds])
        slugs, titles, topics, _completions, _near, *switches = cursor.fetchone()
    else:
        neighbours = CORRECTION_NEIGHBOURS if spelling.correctable(word) else 0
        cursor.execute(_SUGGEST_SQL, [word, True, [], now, neighbours, COMPLETIONS, *bounds])
        slugs, titles, topics, completions, near, *switches = cursor.fetchone()
        corrections = tuple(w for w in near if spelling.within_reach(word, w))
        if corrections:  # a typo: suggest with its corrections too
            cursor.execute(_SUGGEST_SQL, [word, True, list(corrections), now, 0, COMPLETIONS, *bounds])
            slugs, titles, topics, *_ = cursor.fetchone()
        completions = tuple(w for w in completions if w != word)
        term = spelling.Term(word=word, corrections=corrections, completions=completions, prefix=True)
    rows = None if slugs is None else list(zip(slugs, titles, topics, strict=True))
    return rows, term, switches


def _suggestions(rows) -> list[dict]:
    return [{"slug": slug, "title": title, "topic": topic} for slug, title, topic in rows]


def _by_titles(cursor, database, terms: list[spelling.Term], *, now) -> list[tuple]:
    """The suggestions from the listings' titles: walking the newest or from the GIN index. Values written
    in, never prepared: a generic plan cannot suit both a common word and a rare one
    (catalog.selectors.learners.search_candidates)."""
    full = spelling.tsquery(terms, forgiving=True, weight="A")
    exact = spelling.tsquery(terms, forgiving=False, weight="A")
    source, matches = database.ops.compose_sql(_LIVE, [now, now]), database.ops.compose_sql(_MATCHES, [full])
    rows = estimated_rows(cursor, [f"SELECT 1 FROM {source}", f"SELECT 1 FROM {source} WHERE {matches}"])
    walk = rows is None or walks(wanted=CANDIDATES, listings=rows[0], matches=rows[1])
    newest = newest_matching(source, matches, limit=CANDIDATES, walk=walk, columns="b.*")
    cursor.execute(database.ops.compose_sql(_SQL.format(newest=newest.replace("%", "%%")), [exact]))
    return cursor.fetchall()
