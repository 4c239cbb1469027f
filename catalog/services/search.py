"""Stored search documents (PostgreSQL): of the working copies (editors) and of the listings
(learners). Their weights are written here, once: title and topic A; unit and module titles B;
description C; module content D; every text without its accents (`café` is found by `cafe`). With the
listings' documents, the words of the listings (catalog_search_word) that correct a learner's typos.
SQLite (`make run`) searches by contains instead (catalog.selectors.search).
"""

from django.db import connection

from catalog.domain import spelling


def title_vector_sql(row: str = "c", tree: str = "t") -> str:
    """The strong part of a search document: title, topic and unit titles (a listing keeps it apart, for
    the candidates). Only the title is A there: suggestions match titles alone."""
    return f"""
    setweight(to_tsvector('english', unaccent({row}.title)), 'A')
    || setweight(to_tsvector('english', unaccent({row}.topic)), 'B')
    || setweight(to_tsvector('english', unaccent(coalesce({tree}.unit_titles, ''))), 'C')
"""


def vector_weights_sql(row: str = "c", tree: str = "t") -> str:
    return f"""
    setweight(to_tsvector('english', unaccent({row}.title)), 'A')
    || setweight(to_tsvector('english', unaccent({row}.topic)), 'A')
    || setweight(to_tsvector('english', unaccent(coalesce({tree}.unit_titles, ''))), 'B')
"""


def vector_sql(row: str = "c", tree: str = "t") -> str:
    """The search document of a row with title, topic and description, and its tree's titles: the
    strong part, then the module titles, the description and the modules' content."""
    return f"""({vector_weights_sql(row, tree)})
    || setweight(to_tsvector('english', unaccent(coalesce({tree}.module_titles, ''))), 'B')
    || setweight(to_tsvector('english', unaccent({row}.description)), 'C')
    || setweight(to_tsvector('english', unaccent(coalesce({tree}.module_content, ''))), 'D')
"""


_VECTOR = vector_sql()
_FROM_TREE = """(
    SELECT c2.id,
        (SELECT string_agg(u.title, ' ') FROM catalog_unit u WHERE u.course_id = c2.id) AS unit_titles,
        (SELECT string_agg(m.title, ' ') FROM catalog_module m JOIN catalog_unit u ON m.unit_id = u.id
          WHERE u.course_id = c2.id) AS module_titles,
        (SELECT string_agg(m.content, ' ') FROM catalog_module m JOIN catalog_unit u ON m.unit_id = u.id
          WHERE u.course_id = c2.id) AS module_content
    FROM catalog_course c2 WHERE c2.id = ANY(%s)
)"""
_FROM_VALUES = (
    "(SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS unit_titles, unnest(%s::text[]) AS module_titles, "
    "unnest(%s::text[]) AS module_content)"
)
CHUNK = 1000


# A listing's tree titles come from its release's document.
_FROM_RELEASE = """(
    SELECT l.id,
        (SELECT string_agg(u->>'title', ' ') FROM jsonb_array_elements(r.document->'units') u) AS unit_titles,
        (SELECT string_agg(m->>'title', ' ')
           FROM jsonb_array_elements(r.document->'units') u, jsonb_array_elements(u->'modules') m) AS module_titles,
        (SELECT string_agg(m->>'content', ' ')
           FROM jsonb_array_elements(r.document->'units') u, jsonb_array_elements(u->'modules') m) AS module_content
    FROM catalog_listing l JOIN catalog_release r ON r.id = l.release_id WHERE l.id = ANY(%s)
)"""


def _update(source: str, table: str = "catalog_course") -> str:
    return f"UPDATE {table} AS c SET search_vector = {_VECTOR} FROM {source} AS t WHERE c.id = t.id"


LISTING_VECTORS = f"search_vector = {_VECTOR}, title_vector = {title_vector_sql()}"


# The words of the listings, unstemmed and without accents, that a typo is corrected to and a word being
# typed is completed from (catalog.selectors.search). Kept set-based: one statement per chunk of listings
# written, never a row at a time. A word only withdrawn listings held stays; it can only ever correct a
# typo to a word that then matches nothing, so the table is never pruned on the learners' path.
# The texts are split here, as a learner's query is (catalog.domain.spelling: folded, then runs of letters
# and digits), from the texts the writer holds: parsing them again in PostgreSQL cost the first import
# 90 us a listing, against 10 here. The accents that folding keeps (`æ`) go in the database (unaccent, as
# the documents lose them), from the chunk's distinct words, sorted: two statements adding the same words
# take them in the same order.
WORDS_TABLE = "catalog_search_word"
WORDS_SQL = f"""
INSERT INTO {WORDS_TABLE} (word)
SELECT DISTINCT u FROM unnest(%s::text[]) AS w, unaccent(w) AS u
WHERE u ~ '^[[:alnum:]]{{4,{spelling.LONGEST_WORD}}}$'
ORDER BY u
ON CONFLICT DO NOTHING
"""


def listing_words(listings) -> set[str]:
    """The distinct words, folded like a query's words (catalog.domain.spelling.tokens), of the listings'
    title, topic, description and tree texts."""
    pieces = set()  # split at white space first: the texts repeat most of their pieces, and str.split is cheap
    for listing in listings:
        for text in (listing.title, listing.topic, listing.description, listing.search_text):
            pieces.update(text.split())
    return {word for piece in pieces for word in spelling.tokens(piece)}  # folded as a query's words are


def listing_words_add(listings) -> None:
    """Add the words of these listings (objects with their texts: rows written or about to be) to the
    table that corrects typos."""
    if connection.vendor != "postgresql":
        return
    listings = list(listings)
    with connection.cursor() as cursor:
        for start in range(0, len(listings), CHUNK):
            words = listing_words(listings[start : start + CHUNK])
            if words:
                cursor.execute(WORDS_SQL, [list(words)])


def listing_search_refresh(listings) -> None:
    """Build the search documents of these listings (written rows) from their releases, and keep their words."""
    listings = list(listings)
    if connection.vendor != "postgresql" or not listings:
        return
    ids = [listing.id for listing in listings]
    sql = f"UPDATE catalog_listing AS c SET {LISTING_VECTORS} FROM {_FROM_RELEASE} AS t WHERE c.id = t.id"
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            cursor.execute(sql, [ids[start : start + CHUNK]])
    listing_words_add(listings)


def search_refresh(*, course_ids) -> None:
    """Rebuild the search document of these courses from their trees."""
    if connection.vendor != "postgresql" or not course_ids:
        return
    ids = list(course_ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            cursor.execute(_update(_FROM_TREE), [ids[start : start + CHUNK]])


def search_refresh_from_titles(*, rows) -> None:
    """Like search_refresh, from the texts the caller already holds: rows of (course id, unit titles,
    module titles, module content) (catalog.domain.documents.search_parts)."""
    if connection.vendor != "postgresql" or not rows:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            cursor.execute(_update(_FROM_VALUES), [[r[i] for r in chunk] for i in range(4)])
