"""The replica fence: the primary's WAL position at the last catalog write, kept in the cache store.

Every catalog write raises the fence after it commits, in the same round trip that replaces the
cache tokens (catalog.cache.invalidation); the replica router (catalog.db.replica) lets a learner read
on the replica only once the replica has replayed up to it. The fence is raised with a max, never
lowered, so writers finishing out of order cannot move it back. This module knows WAL positions and
the fence's rules; the store it is kept in is handed to it (it imports nothing of the catalog).
"""

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

# The insert position: with synchronous_commit off a commit may be inserted but not yet written.
_INSERTED_SQL = "SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn"
# NULL on a server that is not a standby (e.g. the primary itself): nothing to wait for there.
_REPLAYED_SQL = "SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn"


def replica_configured() -> bool:
    return REPLICA in connections.settings


def is_postgresql(alias: str) -> bool:
    return connections[alias].vendor == "postgresql"


def primary_lsn() -> int | None:
    """The primary's current WAL position, or None when there is no PostgreSQL replica to fence."""
    if not replica_configured() or not is_postgresql(DEFAULT_DB_ALIAS):
        return None
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(_INSERTED_SQL)
        return int(cursor.fetchone()[0])


def replayed_lsn() -> int | None:
    """How far the replica has replayed (None: it is not a standby)."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(_REPLAYED_SQL)
        value = cursor.fetchone()[0]
    return None if value is None else int(value)


def read(store, key: str, *, initial=None) -> int | None:
    """The fence kept under `key` in `store` (a catalog.cache store); None when it has none.

    A missing fence (Redis emptied, or dropped by the outage repair) is set from `initial()` (the
    primary's position now), which is safe: every write that returned committed before it.
    Store failures propagate: the caller decides what an unreachable store means.
    """
    (value,) = store.mget([key])
    if value is None and initial is not None:
        value = initial()
        if value is not None:
            store.raise_number(key, value)
    return None if value is None else int(value)
