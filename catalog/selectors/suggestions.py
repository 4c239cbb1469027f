"""As-you-type suggestions: live courses whose titles match the text typed so far."""

from django.db import connection, connections, router
from django.utils import timezone

from catalog.domain import spelling
from catalog.models import Listing, TitleWord
from catalog.selectors.embedded_search import embedded_search
from catalog.selectors.learners import listings_live
from catalog.selectors.search import CONFIG, estimated_rows, forgiving_terms, newest_matching, walks

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
    "WHERE l.live_from <= %s AND (l.live_until IS NULL OR l.live_until > %s)) b"
)
_MATCHES = f"b.title_vector @@ to_tsquery('{CONFIG}', %s)"
_SQL = f"""
WITH c AS ({{newest}})
SELECT slug, title, topic FROM c
ORDER BY c.title_vector @@ to_tsquery('{CONFIG}', %s) DESC, c.created_at DESC, c.pk
LIMIT {SUGGESTIONS}
"""


_WORDS = f'"{TitleWord._meta.db_table}"'
# One word being typed: o, its alternatives as the stems the titles' words hold (a stop word has none and
# drops out, as it does from to_tsquery); r, the distinct stems it begins, one step of the index each, up to
# LEXEMES + 1; x, those and the other alternatives' stems, exact unless only a correction's; c, the newest
# CANDIDATES titles among each stem's newest CANDIDATES live titles, read from the index in its order,
# exact when any exact stem gave it. Then ordered as _SQL orders them (the SUGGESTIONS chosen are the only
# listings read), or a row of NULLs when the word begins more than LEXEMES stems or PostgreSQL splits it.
_ONE_WORD_SQL = f"""
WITH RECURSIVE o AS MATERIALIZED (
    SELECT t.word, t.prefix, t.exact, x.lexeme, x.lexeme || chr(1114111) AS last  -- the last stem it begins
    FROM unnest(%(words)s::text[], %(prefixes)s::boolean[], %(exacts)s::boolean[]) AS t(word, prefix, exact)
    CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector('{CONFIG}', t.word))) AS x(lexeme)
),
-- A word PostgreSQL splits in two (at a character its parser does not take for a letter) is a phrase
-- in to_tsquery: such a text reads the titles.
split AS (SELECT EXISTS (SELECT 1 FROM o GROUP BY word HAVING count(*) > 1) AS split),
r(n, lexeme, last) AS (
    SELECT 1, (
        SELECT w.lexeme FROM {_WORDS} w WHERE w.lexeme ~>=~ o.lexeme AND w.lexeme ~<=~ o.last
        ORDER BY w.lexeme USING ~<~ LIMIT 1
    ), o.last
    FROM o WHERE o.prefix
    UNION ALL
    SELECT r.n + 1, (
        SELECT w.lexeme FROM {_WORDS} w WHERE w.lexeme ~>~ r.lexeme AND w.lexeme ~<=~ r.last
        ORDER BY w.lexeme USING ~<~ LIMIT 1
    ), r.last
    FROM r WHERE r.lexeme IS NOT NULL AND r.n <= %(lexemes)s
),
x AS (
    SELECT lexeme, bool_or(exact) AS exact FROM (
        SELECT lexeme, true AS exact FROM r WHERE lexeme IS NOT NULL
        UNION ALL SELECT lexeme, exact FROM o WHERE NOT o.prefix
    ) y GROUP BY lexeme
),
c AS (
    SELECT w.listing_id, max(w.created_at) AS created_at, bool_or(x.exact) AS exact FROM x CROSS JOIN LATERAL (
        SELECT w.listing_id, w.created_at FROM {_WORDS} w
        WHERE w.lexeme = x.lexeme AND w.live_from <= %(now)s AND (w.live_until IS NULL OR w.live_until > %(now)s)
        ORDER BY w.created_at DESC, w.listing_id LIMIT %(candidates)s
    ) w
    GROUP BY w.listing_id ORDER BY max(w.created_at) DESC, w.listing_id LIMIT %(candidates)s
)
SELECT * FROM (
    SELECT l.slug, l.title, l.topic
    FROM (SELECT * FROM c ORDER BY exact DESC, created_at DESC, listing_id LIMIT {SUGGESTIONS}) c
    JOIN "{Listing._meta.db_table}" l ON l.id = c.listing_id
    ORDER BY c.exact DESC, c.created_at DESC, c.listing_id
) s
WHERE (SELECT count(lexeme) FROM r) <= %(lexemes)s AND NOT (SELECT split FROM split)
UNION ALL
SELECT NULL, NULL, NULL WHERE (SELECT count(lexeme) FROM r) > %(lexemes)s OR (SELECT split FROM split)
"""


def learner_suggestions(*, text: str, now=None) -> list[dict]:
    """Up to SUGGESTIONS of {"slug", "title", "topic"}, best first; none for a text without words."""
    words = spelling.words(text)
    if not words:
        return []
    now = now or timezone.now()
    if connection.vendor != "postgresql":
        found = embedded_search(listings_live(now=now), text, strong=("title",), weak=())
        return list(found.values("slug", "title", "topic")[:SUGGESTIONS])
    using = router.db_for_read(Listing)
    terms = forgiving_terms(words, using=using)
    database = connections[using]
    with database.cursor() as cursor:
        rows = None
        if len(terms) == 1:
            # One word being typed: from the titles' words, unless it begins too many of them.
            term = terms[0]
            words = list(dict.fromkeys((term.word, *term.completions, *term.corrections)))
            prefixes, exacts = [term.prefix and w == term.word for w in words], [w in term.exact for w in words]
            params = {"words": words, "prefixes": prefixes, "exacts": exacts, "now": now}
            params |= {"candidates": CANDIDATES, "lexemes": LEXEMES}
            cursor.execute(_ONE_WORD_SQL, params)
            rows = cursor.fetchall()
        if rows is None or rows and rows[-1][0] is None:
            rows = _by_titles(cursor, database, terms, now=now)
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
