"""Learners' reads from a PostgreSQL read replica, never older than the last write that returned.

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database and ``ReplicaRouter``.
Writes, reads inside a transaction, and every request that changes something or carries
credentials (editors, the admin) use the primary. A learner's catalog read goes to the replica
only when the replica has replayed the primary's write-ahead log up to the fence (catalog.db.fence),
which every catalog write raises after it commits and before it returns. A request checks that
once, on its first catalog query (a cache hit never gets that far):

- replica caught up with the fence: read there;
- replica behind, unreachable, or the fence unknown (Redis down): read from the primary.

So replication lag costs speed, never freshness, and an asynchronous replica is safe.
"""

import contextlib
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from catalog import metrics
from catalog.db import fence
from catalog.db.fence import REPLICA

logger = logging.getLogger(__name__)

BACKOFF = 1.0


@dataclass
class _Request:
    pinned: bool
    choice: str | None = None


_request: ContextVar[_Request | None] = ContextVar("catalog_replica_request", default=None)
_down_until = 0.0


def _no_fence(*, initial=None) -> int | None:
    return None  # unknown: every learner read stays on the primary


# Where the fence is kept (the cache's store, a layer above): handed over at start-up by
# catalog.apps, so this module needs nothing above it. Until then no read goes to the replica.
_fence_read: Callable[..., int | None] = _no_fence


def use_fence(reader: Callable[..., int | None]) -> None:
    """Read the fence through `reader(initial=...)` (catalog.cache.fence_read)."""
    global _fence_read
    _fence_read = reader


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


def configured() -> bool:
    return fence.replica_configured()


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


@contextlib.contextmanager
def on_primary():
    """Every catalog read inside goes to the primary (e.g. previews: never a lagging copy)."""
    state = _request.get()
    if state is not None:
        pinned, state.pinned = state.pinned, True
        try:
            yield
        finally:
            state.pinned = pinned
        return
    with request_scope(pinned=True):
        yield


def _decide() -> str:
    if not configured():
        return DEFAULT_DB_ALIAS
    database = _fresh_enough()
    metrics.replica_choice("replica" if database == REPLICA else "primary")
    return database


def _fresh_enough() -> str:
    if not fence.is_postgresql(REPLICA) or time.monotonic() < _down_until:
        return DEFAULT_DB_ALIAS
    position = _fence_read(initial=fence.primary_lsn)
    if position is None:
        return DEFAULT_DB_ALIAS
    try:
        replayed = fence.replayed_lsn()
    except DatabaseError as exc:
        _failed(exc)
        return DEFAULT_DB_ALIAS
    if replayed is None or replayed >= position:
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


def status() -> str:
    """For /readyz: "ok", "lagging" (reads go to the primary meanwhile) or "unavailable"."""
    try:
        replayed = fence.replayed_lsn()
    except DatabaseError:
        with contextlib.suppress(DatabaseError):
            connections[REPLICA].close()
        return "unavailable"
    position = _fence_read()
    if replayed is None or position is None or replayed >= position:
        return "ok"
    return "lagging"
