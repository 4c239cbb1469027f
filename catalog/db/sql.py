"""Small pieces of SQL the ORM has no word for."""

from django.db import connection
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models.expressions import RawSQL

PREPARED = "prepare_threshold"


def many(values: list, db_type: str):
    """The right-hand side of `__in` for a long list: on PostgreSQL one array parameter, because
    hundreds of placeholders cost more to build and quote (client-side) than the query costs to run."""
    if connection.vendor != "postgresql":
        return values
    return RawSQL(f"SELECT unnest(%s::{db_type}[])", [list(values)])


def any_of(values: list, db_type: str) -> tuple[str, list]:
    """The same for hand-written SQL: (`= ANY(%s)` or `IN (%s, …)`, its parameters); on PostgreSQL
    one statement whatever the list's length, so a prepared one serves every length."""
    if connection.vendor != "postgresql":
        return f"IN ({', '.join(['%s'] * len(values))})", list(values)
    return f"= ANY(%s::{db_type}[])", [list(values)]


def prepared_cursor(db):
    """A cursor of the connection `db` whose statements PostgreSQL plans once per connection.

    Learners' hot reads (catalog.selectors.learners) are a handful of statements whose planning cost
    more than running them. On PostgreSQL this cursor binds parameters server-side, so psycopg
    prepares each statement on its first run (DATABASES OPTIONS prepare_threshold, see settings;
    the ORM's own cursors bind client-side and are never prepared). It is wrapped like any Django
    cursor: health check, error translation and query logging (and counting, in tests) stay.
    Elsewhere, and with prepared statements switched off, it is the usual cursor.
    """
    if db.vendor != "postgresql" or db.settings_dict["OPTIONS"].get(PREPARED) is None:
        return db.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        cursor = ServerBindingCursor(db.connection)
    return PreparedDebugWrapper(cursor, db) if db.queries_logged else db.make_cursor(cursor)


class PreparedDebugWrapper(CursorDebugWrapper):
    """Logs a prepared statement as written, placeholders and all: psycopg keeps no text of a
    server-side bound query for Django's debug log (DEBUG, and tests' query capture) to show."""

    def execute(self, sql, params=None):
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)
