"""The `match` of each result on a page of a search: computed for the page's listings only."""

from django.db import connection, connections

from catalog.domain import excerpts
from catalog.models import Listing, Topic, default_topic_name
from catalog.selectors.embedded_search import embedded_matcher
from catalog.selectors.search import Query

# Title and description when the query matches there (most searches: ts_headline's cost grows with the
# text it reads), else with the tree's titles and content too; the marks are characters no course text
# keeps. `<` and `>` travel as two other such characters (catalog.domain.excerpts.LT, GT): ts_headline's
# parser would take `List<String>` for a tag and leave it out.
_TRANSLATE = "E'<>\\x01\\x02\\x03\\x04', E'\\x03\\x04'"
_HEAD = f"translate(l.title || ' — ' || l.description, {_TRANSLATE})"
_TEXT = f"translate(l.title || ' — ' || l.description || ' — ' || l.search_text, {_TRANSLATE})"
# A course found by its topic alone: its title and the topic's name.
_TOPIC = (
    f"translate(l.title || ' — ' || coalesce((SELECT t.name FROM \"{Topic._meta.db_table}\" t WHERE t.slug = l.topic), "
    # catalog.models.topics.default_topic_name: "cloud-devops" -> "Cloud devops"
    f"upper(left(replace(l.topic, '-', ' '), 1)) || substr(replace(l.topic, '-', ' '), 2)), {_TRANSLATE})"
)
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
        fields = ("pk", "topic", "title", "description", "search_text")
        listed = Listing.objects.using(using).filter(pk__in=ids).values_list(*fields)
        rows = {pk: (topic, parts) for pk, topic, *parts in listed}
        texts = {pk: " — ".join(parts) for pk, (_topic, parts) in rows.items()}
        matches = embedded_matcher(text, list(texts.values()))
        marked = {pk: excerpts.mark_words(t, matches) for pk, t in texts.items()}
        unmarked = [pk for pk, m in marked.items() if excerpts.START not in m]
        if unmarked:  # found by the topic alone: the title and the topic's name
            chosen = Topic.objects.using(using).filter(slug__in={rows[pk][0] for pk in unmarked})
            names = dict(chosen.values_list("slug", "name"))
            for pk in unmarked:
                topic, (title, *_rest) = rows[pk]
                marked[pk] = excerpts.mark_words(f"{title} — {names.get(topic) or default_topic_name(topic)}", matches)
        return {pk: excerpts.excerpt(m) for pk, m in marked.items()}
    if query is None:
        return {}
    function, tsquery = query.sql
    sql = f'SELECT l.id, {MATCH} FROM "{Listing._meta.db_table}" l, {query_sql(function)} WHERE l.id = ANY(%s)'
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [*MATCH_PARAMS, tsquery, list(ids)])
        found = dict(cursor.fetchall())
    return {pk: excerpts.excerpt(marked) for pk, marked in with_topics(found, query=query, using=using).items()}


def with_topics(found: dict[int, str], *, query: Query, using: str = "default") -> dict[int, str]:
    """`found` ({listing id: marked text}), where a listing's text shows no match (it was found by its
    topic alone) its title and topic marked instead: one more statement, only then."""
    unmarked = [pk for pk, marked in found.items() if excerpts.START not in marked]
    if not unmarked:
        return found
    function, tsquery = query.sql
    topic = f"ts_headline('catalog_english', {_TOPIC}, q.q, %s)"
    sql = f'SELECT l.id, {topic} FROM "{Listing._meta.db_table}" l, {query_sql(function)} WHERE l.id = ANY(%s)'
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [_OPTIONS, tsquery, unmarked])
        return found | {pk: marked for pk, marked in cursor.fetchall() if excerpts.START in marked}
