"""The strong part of each listing's search document (title, topic, unit titles), GIN-indexed.

PostgreSQL only (the index and the filling); SQLite searches by contains.
"""

import django.contrib.postgres.search
from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS listing_title_gin ON catalog_listing USING gin (title_vector)",
    """
    UPDATE catalog_listing AS c SET title_vector =
        setweight(to_tsvector('english', c.title), 'A')
        || setweight(to_tsvector('english', c.topic), 'B')
        || setweight(to_tsvector('english', coalesce(t.unit_titles, '')), 'B')
    FROM (
        SELECT l.id, (SELECT string_agg(u->>'title', ' ') FROM jsonb_array_elements(r.document->'units') u)
            AS unit_titles
        FROM catalog_listing l JOIN catalog_release r ON r.id = l.release_id
    ) AS t
    WHERE c.id = t.id
    """,
]
BACKWARD = ["DROP INDEX IF EXISTS listing_title_gin"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0008_topic_counts"),
    ]

    operations = [
        migrations.AddField(
            model_name="listing",
            name="title_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
