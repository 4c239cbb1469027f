"""Indexes that depend on the database vendor.

PostgreSQL only: the GIN index on the stored search document (SQLite has no tsvector search and
falls back to a contains match). SQLite only: plain unique indexes on (course, order) and
(unit, order), because SQLite cannot create the deferrable unique constraints declared on the
models (PostgreSQL has those from migration 0001). Either way the database itself rejects a
duplicate order.
"""
from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE INDEX IF NOT EXISTS course_search_gin ON catalog_course USING gin (search_vector)",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS course_search_gin"]
SQLITE_FORWARD = [
    'CREATE UNIQUE INDEX IF NOT EXISTS unit_order_unique_sqlite ON catalog_unit (course_id, "order")',
    'CREATE UNIQUE INDEX IF NOT EXISTS module_order_unique_sqlite ON catalog_module (unit_id, "order")',
]
SQLITE_BACKWARD = [
    "DROP INDEX IF EXISTS unit_order_unique_sqlite",
    "DROP INDEX IF EXISTS module_order_unique_sqlite",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
