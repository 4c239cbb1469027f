"""Learners' reads from a PostgreSQL read replica, never older than the last write that returned.

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database and ``ReplicaRouter``.
Writes, reads inside a transaction, and every request that changes something or carries
credentials (editors, the admin) use the primary. A learner's catalog read goes to the replica
only when the replica has replayed the primary's write-ahead log up to the **fence**: the primary's
WAL position that every catalog write records, after it commits and before it returns, next to the
cache tokens it replaces (``cache.course_invalidate``). A request checks that once, on its first
catalog query (a cache hit never gets that far):

- replica caught up with the fence: read there;
- replica behind, unreachable, or the fence unknown (Redis down): read from the primary.

So replication lag costs speed, never freshness, and an asynchronous replica is safe. The fence is
raised with a max, never lowered, so writers finishing out of order cannot move it back.
"""

import contextlib
import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from . import cache

logger = logging.getLogger(__name__)

REPLICA = "replica"
BACKOFF = 1.0

# The insert position: with synchronous_commit off a commit may be inserted but not yet written.
_LSN_SQL = "SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn"
# NULL on a server that is not a standby (e.g. the primary itself): nothing to wait for there.
_REPLAYED_SQL = "SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn"


def configured() -> bool:
    return REPLICA in connections.settings


def _is_postgresql(alias) -> bool:
    return connections.settings[alias]["ENGINE"] == "django.db.backends.postgresql"


@dataclass
class _Request:
    pinned: bool
    choice: str | None = None


_request: ContextVar[_Request | None] = ContextVar("catalog_replica_request", default=None)
_down_until = 0.0


class ReplicaRouter:
    """Catalog reads to the replica when it is fresh enough; everything else to the primary."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label != "catalog":
            return DEFAULT_DB_ALIAS
        return choose()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # same data on both sides

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None


def choose() -> str:
    """The alias the next catalog read should use."""
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS  # reads inside a write (locks, read-your-writes) stay on the primary
    state = _request.get()
    if state is None:
        return _decide()  # shell, commands: decide per query
    if state.pinned:
        return DEFAULT_DB_ALIAS
    if state.choice is None:
        state.choice = _decide()
    return state.choice


@contextlib.contextmanager
def request_scope(*, pinned: bool):
    """One routing decision per request; `pinned` keeps the whole request on the primary."""
    token = _request.set(_Request(pinned=pinned))
    try:
        yield
    finally:
        _request.reset(token)


def _decide() -> str:
    if not configured() or not _is_postgresql(REPLICA) or time.monotonic() < _down_until:
        return DEFAULT_DB_ALIAS
    fence = cache.fence_read(initial=primary_lsn)
    if fence is None:
        return DEFAULT_DB_ALIAS
    try:
        replayed = replayed_lsn()
    except DatabaseError as exc:
        _failed(exc)
        return DEFAULT_DB_ALIAS
    if replayed is None or replayed >= fence:
        return REPLICA
    return DEFAULT_DB_ALIAS


def _failed(exc):
    global _down_until
    now = time.monotonic()
    if now >= _down_until:
        logger.warning(
            "read replica unavailable (%s: %s); learners read from the primary for %.1fs",
            type(exc).__name__,
            exc,
            BACKOFF,
        )
    _down_until = now + BACKOFF
    with contextlib.suppress(DatabaseError):
        connections[REPLICA].close()


def primary_lsn() -> int | None:
    """The primary's current WAL position, or None when there is no PostgreSQL replica to fence."""
    if not configured() or not _is_postgresql(DEFAULT_DB_ALIAS):
        return None
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(_LSN_SQL)
        return int(cursor.fetchone()[0])


def replayed_lsn() -> int | None:
    """How far the replica has replayed (None: it is not a standby)."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(_REPLAYED_SQL)
        value = cursor.fetchone()[0]
    return None if value is None else int(value)


def status() -> str:
    """For /readyz: "ok", "lagging" (reads go to the primary meanwhile) or "unavailable"."""
    try:
        replayed = replayed_lsn()
    except DatabaseError:
        with contextlib.suppress(DatabaseError):
            connections[REPLICA].close()
        return "unavailable"
    fence = cache.fence_read()
    if replayed is None or fence is None or replayed >= fence:
        return "ok"
    return "lagging"
