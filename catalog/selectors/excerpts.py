"""The `match` of each result on a page of a search: computed for the page's listings only."""

from django.db import connection, connections

from catalog.domain import excerpts
from catalog.models import Listing
from catalog.selectors.embedded_search import embedded_matcher
from catalog.selectors.search import Query

# Title and description when the query matches there (most searches: ts_headline's cost grows with the
# text it reads), else with the tree's titles and content too; the marks are characters no course text keeps.
_HEAD = "translate(l.title || ' — ' || l.description, E'\\x01\\x02', '')"
_TEXT = "translate(l.title || ' — ' || l.description || ' — ' || l.search_text, E'\\x01\\x02', '')"
# catalog_english: english with unaccent, so `cafe` marks `café` in the text as written (migration 0016).
_OPTIONS = 'StartSel="\x01", StopSel="\x02", MaxWords=30, MinWords=12, MaxFragments=1'


# A listing's (l) text marked where a query (q.q, from query_sql) matched best; two parameters.
MATCH = (
    f"CASE WHEN to_tsvector('catalog_english', {_HEAD}) @@ q.q THEN ts_headline('catalog_english', {_HEAD}, q.q, %s) "
    f"ELSE ts_headline('catalog_english', {_TEXT}, q.q, %s) END"
)
MATCH_PARAMS = [_OPTIONS, _OPTIONS]


def query_sql(function: str) -> str:
    """The FROM item `q` that MATCH reads, with one parameter: the query's text (Query.sql)."""
    return f"(SELECT {function}('english', %s) AS q) q"


def listing_excerpts(*, ids: list[int], text: str, query: Query | None, using: str = "default") -> dict[int, str]:
    """{listing id: its `match`} for these listings of a search for `text`."""
    if not ids:
        return {}
    if connection.vendor != "postgresql":
        rows = Listing.objects.using(using).filter(pk__in=ids).values_list("pk", "title", "description", "search_text")
        texts = {pk: " — ".join(parts) for pk, *parts in rows}
        matches = embedded_matcher(text, list(texts.values()))
        return {pk: excerpts.excerpt(excerpts.mark_words(t, matches)) for pk, t in texts.items()}
    if query is None:
        return {}
    function, tsquery = query.sql
    sql = f'SELECT l.id, {MATCH} FROM "{Listing._meta.db_table}" l, {query_sql(function)} WHERE l.id = ANY(%s)'
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [*MATCH_PARAMS, tsquery, list(ids)])
        return {pk: excerpts.excerpt(marked) for pk, marked in cursor.fetchall()}
