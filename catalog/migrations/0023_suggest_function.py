"""One word's suggestions in one call of a server-side function (issue 21: suggestions cost no more than
a topic page). Sent as a statement, they took three round trips (the word's completions and neighbours,
the titles' words, the next scheduled switch), and PostgreSQL planned the titles' statement afresh at
every run: 0.6 ms of planning for 0.3 ms of work. A PL/pgSQL function keeps its statements' plans for
the connection's life, and `plan_cache_mode = force_generic_plan` keeps one plan for every word (the
plan is the same index walk whatever the word). SQLite has no such function: its suggestions read titles.

catalog_suggest(typed, begun, corrected, now, neighbours, completing, lexemes, candidates, shown) answers
one row, for `typed` being typed (`begun`: a prefix, the last word) or whole (a word before a stop word
that the selector leaves out):
- the slugs, titles and topics of up to `shown` suggestions, NULL when the titles' words cannot answer
  (the word begins more than `lexemes` stems, or PostgreSQL's parser splits it in two);
- the catalog's words that `typed` begins (`completing` of them) and its `neighbours` nearest words by
  trigram distance, which the caller checks by edit distance: when some are within reach it calls again
  with them as `corrected`;
- when any course's view next changes by itself (the first scheduled switch after `now`).
Its selector is catalog.selectors.suggestions, which keeps the bounds."""

from django.db import migrations

from catalog.db.migrations import on_postgresql

FORWARD = r"""
CREATE FUNCTION catalog_suggest(
    typed text, begun boolean, corrected text[], now timestamptz,
    neighbours integer, completing integer, lexemes integer, candidates integer, shown integer
) RETURNS TABLE (
    slugs text[], titles text[], topics text[], completions text[], near text[],
    next_live_from timestamptz, next_live_until timestamptz
) LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    by_titles boolean;
BEGIN
    -- p: the catalog's words it begins, from a range of their C-collated key, which a generic plan can
    -- walk (LIKE cannot); o: the word, those and its corrections as the stems the titles' words hold (a
    -- stop word has none and drops out, as it does from to_tsquery); r: the distinct stems the word
    -- begins, one step of the index each, up to lexemes + 1; x: those and the other alternatives' stems,
    -- exact unless only a correction's; c: the newest `candidates` titles among each stem's newest live
    -- titles, read from the index in its order, exact when any exact stem gave it (with no correction,
    -- every title is exact, and the newest `shown` of each stem are enough); s: the `shown` first, exact
    -- first, then newest (the only listings read).
    WITH RECURSIVE p AS MATERIALIZED (
        SELECT w.word FROM catalog_search_word w WHERE w.word >= typed AND w.word <= typed || chr(1114111)
        ORDER BY w.word LIMIT completing
    ),
    o AS MATERIALIZED (
        SELECT t.word, t.prefix, t.exact, x.lexeme, x.lexeme || chr(1114111) AS last
        FROM (
            SELECT DISTINCT ON (u.word) u.word, u.prefix, u.exact FROM (
                SELECT typed AS word, begun AS prefix, true AS exact, 0 AS n
                UNION ALL SELECT p.word, false, true, 1 FROM p
                UNION ALL SELECT a, false, false, 2 FROM unnest(corrected) a
            ) u ORDER BY u.word, u.n
        ) t
        CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector('english', t.word))) AS x(lexeme)
    ),
    r(n, lexeme, last) AS (
        SELECT 1, (
            SELECT w.lexeme FROM catalog_titleword w WHERE w.lexeme ~>=~ o.lexeme AND w.lexeme ~<=~ o.last
            ORDER BY w.lexeme USING ~<~ LIMIT 1
        ), o.last
        FROM o WHERE o.prefix
        UNION ALL
        SELECT r.n + 1, (
            SELECT w.lexeme FROM catalog_titleword w WHERE w.lexeme ~>~ r.lexeme AND w.lexeme ~<=~ r.last
            ORDER BY w.lexeme USING ~<~ LIMIT 1
        ), r.last
        FROM r WHERE r.lexeme IS NOT NULL AND r.n <= lexemes
    ),
    x AS MATERIALIZED (
        SELECT y.lexeme, bool_or(y.exact) AS exact FROM (
            SELECT r.lexeme, true AS exact FROM r WHERE r.lexeme IS NOT NULL
            UNION ALL SELECT o.lexeme, o.exact FROM o WHERE NOT o.prefix
        ) y GROUP BY y.lexeme
    ),
    c AS (
        SELECT w.listing_id, max(w.created_at) AS created_at, bool_or(x.exact) AS exact FROM x CROSS JOIN LATERAL (
            SELECT w.listing_id, w.created_at FROM catalog_titleword w
            WHERE w.lexeme = x.lexeme AND w.live_from <= now AND (w.live_until IS NULL OR w.live_until > now)
            ORDER BY w.created_at DESC, w.listing_id
            LIMIT CASE WHEN corrected = '{}' THEN least(shown, candidates) ELSE candidates END
        ) w
        GROUP BY w.listing_id ORDER BY max(w.created_at) DESC, w.listing_id LIMIT candidates
    ),
    -- A word PostgreSQL splits in two (at a character its parser does not take for a letter) is a phrase
    -- in to_tsquery, which the titles' words cannot check; a word that begins too many stems reads the
    -- titles too.
    f AS MATERIALIZED (
        SELECT (SELECT count(r.lexeme) FROM r) > lexemes
            OR EXISTS (SELECT 1 FROM o GROUP BY o.word HAVING count(*) > 1) AS by_titles
    ),
    s AS (
        SELECT c.exact, c.created_at, c.listing_id, l.slug, l.title, l.topic
        FROM (
            SELECT * FROM c WHERE NOT (SELECT f.by_titles FROM f)
            ORDER BY c.exact DESC, c.created_at DESC, c.listing_id LIMIT shown
        ) c
        JOIN catalog_listing l ON l.id = c.listing_id
    )
    SELECT
        ARRAY(SELECT s.slug::text FROM s ORDER BY s.exact DESC, s.created_at DESC, s.listing_id),
        ARRAY(SELECT s.title::text FROM s ORDER BY s.exact DESC, s.created_at DESC, s.listing_id),
        ARRAY(SELECT s.topic::text FROM s ORDER BY s.exact DESC, s.created_at DESC, s.listing_id),
        ARRAY(SELECT p.word FROM p),
        ARRAY(
            SELECT w.word FROM catalog_search_word w
            WHERE neighbours > 0 AND length(w.word) BETWEEN length(typed) - 2 AND length(typed) + 2
            ORDER BY w.word <-> typed LIMIT neighbours
        ),
        (SELECT min(n.live_from) FROM catalog_listing n WHERE n.live_from > now),
        (SELECT min(n.live_until) FROM catalog_listing n WHERE n.live_until > now),
        (SELECT f.by_titles FROM f)
    INTO slugs, titles, topics, completions, near, next_live_from, next_live_until, by_titles;
    IF by_titles THEN
        slugs := NULL; titles := NULL; topics := NULL;
    END IF;
    RETURN NEXT;
END $$;
"""

BACKWARD = "DROP FUNCTION catalog_suggest(text, boolean, text[], timestamptz, integer, integer, integer, integer, integer);"


class Migration(migrations.Migration):
    dependencies = [("catalog", "0022_title_words")]

    operations = [on_postgresql(FORWARD, BACKWARD)]
