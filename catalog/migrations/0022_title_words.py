"""The words of the listings' titles (issue 21: suggestions cost no more than a topic page). PostgreSQL
keeps them itself, one statement-level trigger per kind of change of catalog_listing, so every write
(the services' saves, an import's bulk inserts and vector updates, deletes) keeps them set-based; the
table is filled here from the listings there are. SQLite leaves it empty: its suggestions read titles.

A row is a stem of the title (the A part of the listing's title_vector) with the listing's order and
window, indexed for a prefix range (text_pattern_ops) newest first, its window included so that the
suggestions read the index alone."""

import django.db.models.deletion
from django.db import migrations, models

from catalog.db.migrations import on_postgresql

# What a listing's title words are, from rows shaped like catalog_listing (the new rows of a statement).
_WORDS = """
    SELECT n.id, u.lexeme, n.created_at, n.live_from, n.live_until
    FROM {rows} n CROSS JOIN LATERAL unnest(n.title_vector) u
    WHERE n.title_vector IS NOT NULL AND 'A' = ANY(u.weights)
"""
_TABLE = "catalog_titleword"
_CHANGED = """
    SELECT n.* FROM catalog_listing_new n JOIN catalog_listing_old o ON o.id = n.id
    WHERE (n.title_vector, n.created_at, n.live_from, n.live_until)
        IS DISTINCT FROM (o.title_vector, o.created_at, o.live_from, o.live_until)
"""

FORWARD = f"""
CREATE INDEX catalog_titleword_newest ON {_TABLE}
    (lexeme text_pattern_ops, created_at DESC, listing_id) INCLUDE (live_from, live_until);

CREATE FUNCTION catalog_title_words_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {_TABLE} (listing_id, lexeme, created_at, live_from, live_until)
    {_WORDS.format(rows="catalog_listing_new")}
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE FUNCTION catalog_title_words_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Only the listings whose title, order or window changed (most updates change none of them).
    DELETE FROM {_TABLE} w USING ({_CHANGED}) c WHERE w.listing_id = c.id;
    INSERT INTO {_TABLE} (listing_id, lexeme, created_at, live_from, live_until)
    {_WORDS.format(rows=f"({_CHANGED})")}
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE FUNCTION catalog_title_words_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {_TABLE} w USING catalog_listing_old o WHERE w.listing_id = o.id;
    RETURN NULL;
END $$;

-- DELETE, not TRUNCATE: a flush truncates both tables in one statement, which holds this one in use.
CREATE FUNCTION catalog_title_words_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {_TABLE};
    RETURN NULL;
END $$;

CREATE TRIGGER catalog_title_words_inserted AFTER INSERT ON catalog_listing
    REFERENCING NEW TABLE AS catalog_listing_new
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_title_words_inserted();
CREATE TRIGGER catalog_title_words_updated AFTER UPDATE ON catalog_listing
    REFERENCING OLD TABLE AS catalog_listing_old NEW TABLE AS catalog_listing_new
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_title_words_updated();
CREATE TRIGGER catalog_title_words_deleted AFTER DELETE ON catalog_listing
    REFERENCING OLD TABLE AS catalog_listing_old
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_title_words_deleted();
CREATE TRIGGER catalog_title_words_truncated AFTER TRUNCATE ON catalog_listing
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_title_words_truncated();

INSERT INTO {_TABLE} (listing_id, lexeme, created_at, live_from, live_until)
{_WORDS.format(rows="catalog_listing")};
ANALYZE {_TABLE};
"""

BACKWARD = """
DROP TRIGGER catalog_title_words_inserted ON catalog_listing;
DROP TRIGGER catalog_title_words_updated ON catalog_listing;
DROP TRIGGER catalog_title_words_deleted ON catalog_listing;
DROP TRIGGER catalog_title_words_truncated ON catalog_listing;
DROP FUNCTION catalog_title_words_inserted();
DROP FUNCTION catalog_title_words_updated();
DROP FUNCTION catalog_title_words_deleted();
DROP FUNCTION catalog_title_words_truncated();
DROP INDEX catalog_titleword_newest;
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0021_sitemap_blocks")]

    operations = [
        migrations.CreateModel(
            name="TitleWord",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "listing", "lexeme", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("lexeme", models.TextField()),
                ("created_at", models.DateTimeField()),
                ("live_from", models.DateTimeField()),
                ("live_until", models.DateTimeField(null=True)),
                (
                    "listing",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="catalog.listing",
                    ),
                ),
            ],
        ),
        on_postgresql(FORWARD, BACKWARD),
    ]
