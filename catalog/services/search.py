"""Stored search documents (PostgreSQL): of the working copies (editors) and of the listings
(learners). Their weights are written here, once: title A; topic and unit titles B; module titles C;
description D. SQLite (`make run`) searches by contains instead.
"""

from django.db import connection


def title_vector_sql(row: str = "c", tree: str = "t") -> str:
    """The strong part of a search document: title, topic and unit titles (a listing keeps it apart)."""
    return f"""
    setweight(to_tsvector('english', {row}.title), 'A')
    || setweight(to_tsvector('english', {row}.topic), 'B')
    || setweight(to_tsvector('english', coalesce({tree}.unit_titles, '')), 'B')
"""


def vector_sql(row: str = "c", tree: str = "t") -> str:
    """The search document of a row with title, topic and description, and its tree's titles: the
    strong part, then the module titles and the description."""
    return f"""({title_vector_sql(row, tree)})
    || setweight(to_tsvector('english', coalesce({tree}.module_titles, '')), 'C')
    || setweight(to_tsvector('english', {row}.description), 'D')
"""


_VECTOR = vector_sql()
_FROM_TREE = """(
    SELECT c2.id,
        (SELECT string_agg(u.title, ' ') FROM catalog_unit u WHERE u.course_id = c2.id) AS unit_titles,
        (SELECT string_agg(m.title, ' ') FROM catalog_module m JOIN catalog_unit u ON m.unit_id = u.id
          WHERE u.course_id = c2.id) AS module_titles
    FROM catalog_course c2 WHERE c2.id = ANY(%s)
)"""
_FROM_VALUES = (
    "(SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS unit_titles, unnest(%s::text[]) AS module_titles)"
)
CHUNK = 1000


# A listing's tree titles come from its release's document.
_FROM_RELEASE = """(
    SELECT l.id,
        (SELECT string_agg(u->>'title', ' ') FROM jsonb_array_elements(r.document->'units') u) AS unit_titles,
        (SELECT string_agg(m->>'title', ' ')
           FROM jsonb_array_elements(r.document->'units') u, jsonb_array_elements(u->'modules') m) AS module_titles
    FROM catalog_listing l JOIN catalog_release r ON r.id = l.release_id WHERE l.id = ANY(%s)
)"""


def _update(source: str, table: str = "catalog_course") -> str:
    return f"UPDATE {table} AS c SET search_vector = {_VECTOR} FROM {source} AS t WHERE c.id = t.id"


LISTING_VECTORS = f"search_vector = {_VECTOR}, title_vector = {title_vector_sql()}"


def listing_search_refresh(*, listing_ids) -> None:
    """Build the search documents of these listings from their releases."""
    if connection.vendor != "postgresql" or not listing_ids:
        return
    ids = list(listing_ids)
    sql = f"UPDATE catalog_listing AS c SET {LISTING_VECTORS} FROM {_FROM_RELEASE} AS t WHERE c.id = t.id"
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            cursor.execute(sql, [ids[start : start + CHUNK]])


def search_refresh(*, course_ids) -> None:
    """Rebuild the search document of these courses from their trees."""
    if connection.vendor != "postgresql" or not course_ids:
        return
    ids = list(course_ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            cursor.execute(_update(_FROM_TREE), [ids[start : start + CHUNK]])


def search_refresh_from_titles(*, rows) -> None:
    """Like search_refresh, from titles the caller already holds: rows of (course id, unit titles, module titles)."""
    if connection.vendor != "postgresql" or not rows:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            cursor.execute(_update(_FROM_VALUES), [[r[0] for r in chunk], [r[1] for r in chunk], [r[2] for r in chunk]])
