"""System checks for settings that would otherwise fail at the first request."""

from django.conf import settings
from django.core.checks import Error, register

from .fence import POSTGRESQL, REPLICA


@register()
def replica_is_postgresql(app_configs, databases=None, **kwargs):
    """The router fences replica reads by WAL position, which only PostgreSQL has."""
    dbs = settings.DATABASES
    if REPLICA not in dbs or (dbs[REPLICA]["ENGINE"] == POSTGRESQL and dbs["default"]["ENGINE"] == POSTGRESQL):
        return []
    return [
        Error(
            "DATABASE_REPLICA_URL needs PostgreSQL for both DATABASE_URL and the replica.",
            hint="Learners read from the replica only once it has replayed the last write, which "
            "is checked by WAL position. Unset DATABASE_REPLICA_URL to read from one database.",
            id="catalog.E001",
        )
    ]
