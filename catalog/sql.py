"""Small pieces of SQL the ORM has no word for."""

from django.db import connection
from django.db.models.expressions import RawSQL


def many(values: list, db_type: str):
    """The right-hand side of `__in` for a long list: on PostgreSQL one array parameter, because
    hundreds of placeholders cost more to build and quote (client-side) than the query costs to run."""
    if connection.vendor != "postgresql":
        return values
    return RawSQL(f"SELECT unnest(%s::{db_type}[])", [list(values)])
