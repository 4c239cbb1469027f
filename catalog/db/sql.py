"""Small pieces of SQL the ORM has no word for."""

from django.db import connection
from django.db.models.expressions import RawSQL


def live_window(alias: str = "") -> str:
    """The learners' visibility rule (catalog.selectors.learners.live_at) in SQL, over the listing
    `alias` (none for the table's own columns): its window holds the moment given twice as parameters."""
    t = f"{alias}." if alias else ""
    return f"{t}live_from <= %s AND ({t}live_until IS NULL OR {t}live_until > %s)"


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
