"""Search reads the modules' content and forgives typos: unaccent and pg_trgm, the table of the listings'
words with its trigram index, and every search document rewritten with the new weights (title and topic
A; unit and module titles B; description C; content D) and without accents. The listings' search_text
(SQLite's contains search) gains the modules' content. The SQL is written out here: a migration uses no
service (catalog.services.search holds the same expressions)."""

from django.db import migrations

EXTENSIONS = "CREATE EXTENSION IF NOT EXISTS unaccent; CREATE EXTENSION IF NOT EXISTS pg_trgm;"

# english that also drops accents, for the excerpts: `cafe` marks `café` in the text as written.
HEADLINE_CONFIG = """
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'catalog_english') THEN
        CREATE TEXT SEARCH CONFIGURATION catalog_english (COPY = english);
        ALTER TEXT SEARCH CONFIGURATION catalog_english
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
    END IF;
END $$;
"""

WORDS = """
CREATE TABLE IF NOT EXISTS catalog_search_word (word text COLLATE "C" PRIMARY KEY);
CREATE INDEX IF NOT EXISTS search_word_trgm ON catalog_search_word USING gist (word gist_trgm_ops);
"""


def _vector(row: str, tree: str) -> str:
    return f"""
    setweight(to_tsvector('english', unaccent({row}.title)), 'A')
    || setweight(to_tsvector('english', unaccent({row}.topic)), 'A')
    || setweight(to_tsvector('english', unaccent(coalesce({tree}.unit_titles, ''))), 'B')
    || setweight(to_tsvector('english', unaccent(coalesce({tree}.module_titles, ''))), 'B')
    || setweight(to_tsvector('english', unaccent({row}.description)), 'C')
    || setweight(to_tsvector('english', unaccent(coalesce({tree}.module_content, ''))), 'D')
"""


_TITLE_VECTOR = """
    setweight(to_tsvector('english', unaccent(c.title)), 'A')
    || setweight(to_tsvector('english', unaccent(c.topic)), 'B')
    || setweight(to_tsvector('english', unaccent(coalesce(t.unit_titles, ''))), 'C')
"""

COURSES = f"""
UPDATE catalog_course AS c SET search_vector = {_vector("c", "t")} FROM (
    SELECT c2.id,
        (SELECT string_agg(u.title, ' ') FROM catalog_unit u WHERE u.course_id = c2.id) AS unit_titles,
        (SELECT string_agg(m.title, ' ') FROM catalog_module m JOIN catalog_unit u ON m.unit_id = u.id
          WHERE u.course_id = c2.id) AS module_titles,
        (SELECT string_agg(m.content, ' ') FROM catalog_module m JOIN catalog_unit u ON m.unit_id = u.id
          WHERE u.course_id = c2.id) AS module_content
    FROM catalog_course c2
) AS t WHERE c.id = t.id
"""

LISTINGS = f"""
UPDATE catalog_listing AS c SET search_vector = {_vector("c", "t")}, title_vector = {_TITLE_VECTOR},
    search_text = concat_ws(' ', t.unit_titles, t.module_titles, t.module_content)
FROM (
    SELECT l.id,
        (SELECT string_agg(u->>'title', ' ') FROM jsonb_array_elements(r.document->'units') u) AS unit_titles,
        (SELECT string_agg(m->>'title', ' ')
           FROM jsonb_array_elements(r.document->'units') u, jsonb_array_elements(u->'modules') m) AS module_titles,
        (SELECT string_agg(m->>'content', ' ')
           FROM jsonb_array_elements(r.document->'units') u, jsonb_array_elements(u->'modules') m) AS module_content
    FROM catalog_listing l JOIN catalog_release r ON r.id = l.release_id
) AS t WHERE c.id = t.id
"""

LISTING_WORDS = """
INSERT INTO catalog_search_word (word)
SELECT DISTINCT w FROM catalog_listing l,
    unnest(tsvector_to_array(to_tsvector('simple', unaccent(
        l.title || ' ' || l.topic || ' ' || l.description || ' ' || l.search_text)))) AS w
WHERE w ~ '^[[:alnum:]]{4,32}$'
ON CONFLICT DO NOTHING
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in (EXTENSIONS, HEADLINE_CONFIG, WORDS, COURSES, LISTINGS, LISTING_WORDS):
            schema_editor.execute(sql)
        return
    Listing = apps.get_model("catalog", "Listing")
    for listing in Listing.objects.select_related("release").only("id", "release__document"):
        units = listing.release.document.get("units", [])
        parts = [
            " ".join(u["title"] for u in units),
            " ".join(m["title"] for u in units for m in u["modules"]),
            " ".join(m.get("content") or "" for u in units for m in u["modules"]),
        ]
        Listing.objects.filter(pk=listing.pk).update(search_text=" ".join(parts))


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS catalog_search_word")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0014_import_identity")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
