"""As-you-type suggestions: live courses whose titles match the text typed so far."""

from django.db import connection, connections, router
from django.utils import timezone

from catalog.domain import spelling
from catalog.models import Listing
from catalog.selectors.embedded_search import embedded_search
from catalog.selectors.learners import CANDIDATES, listings_live
from catalog.selectors.search import CONFIG, estimated_rows, forgiving_terms, newest_matching, walks

SUGGESTIONS = 8
# The newest CANDIDATES live listings whose title matches (title_vector's weight A is the title alone),
# then exact before corrected, best rank, newest: bounded however many titles share a word. They are
# found by walking the newest listings or from the index, as the titles' estimated matches say.
_LIVE = (
    f'(SELECT l.id AS pk, l.slug, l.title, l.topic, l.created_at, l.title_vector FROM "{Listing._meta.db_table}" l '
    "WHERE l.live_from <= %s AND (l.live_until IS NULL OR l.live_until > %s)) b"
)
_MATCHES = f"b.title_vector @@ to_tsquery('{CONFIG}', %s)"
_SQL = f"""
WITH c AS ({{newest}})
SELECT slug, title, topic FROM c
ORDER BY c.title_vector @@ to_tsquery('{CONFIG}', %s) DESC,
    ts_rank(c.title_vector, to_tsquery('{CONFIG}', %s)) DESC, c.created_at DESC, c.pk
LIMIT {SUGGESTIONS}
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
    full = spelling.tsquery(terms, forgiving=True, weight="A")
    exact = spelling.tsquery(terms, forgiving=False, weight="A")
    database = connections[using]
    source, matches = database.ops.compose_sql(_LIVE, [now, now]), database.ops.compose_sql(_MATCHES, [full])
    with database.cursor() as cursor:
        # Values written in, never prepared: a generic plan cannot suit both a common word and a rare one
        # (catalog.selectors.learners.search_candidates).
        rows = estimated_rows(cursor, [f"SELECT 1 FROM {source}", f"SELECT 1 FROM {source} WHERE {matches}"])
        walk = rows is None or walks(wanted=CANDIDATES, listings=rows[0], matches=rows[1])
        newest = newest_matching(source, matches, limit=CANDIDATES, walk=walk, columns="b.*")
        cursor.execute(database.ops.compose_sql(_SQL.format(newest=newest.replace("%", "%%")), [exact, full]))
        return [{"slug": slug, "title": title, "topic": topic} for slug, title, topic in cursor.fetchall()]
