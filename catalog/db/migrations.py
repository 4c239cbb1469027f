"""For migrations: SQL only PostgreSQL runs (triggers, functions, indexes SQLite has no use for)."""

from django.db import migrations


def on_postgresql(forward: str, backward: str) -> migrations.RunPython:
    """An operation that executes `forward` (migrating) or `backward` (unmigrating) on PostgreSQL and
    does nothing elsewhere."""

    def run(sql):
        def operation(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql)

        return operation

    return migrations.RunPython(run(forward), run(backward), elidable=False)
