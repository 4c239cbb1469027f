"""Moving the test database between migrations (Django's "Testing migrations"), for the migration tests."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate the test database to `targets`; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def latest():
    """The catalog's latest migration, as a target."""
    return [(app, name) for app, name in MigrationExecutor(connection).loader.graph.leaf_nodes() if app == "catalog"]
