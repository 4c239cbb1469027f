"""After a write commits, the pages it changed die: their tokens are replaced, never scanned for.

Services (and the post_save/post_delete receivers) call course_changed() inside their transaction.
It records the course in the one pending flush of the current transaction; the flush runs once,
after the outermost commit (a whole import file costs one invalidation), and a rollback discards it
with the transaction, so nothing is invalidated for a write that never happened.
"""

import logging

from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction

from catalog import metrics
from catalog.cache import backoff, keys, stores, surrogate
from catalog.db import fence, internals

logger = logging.getLogger("catalog.cache")


class _Changes:
    """Courses changed in one transaction; called once, after it commits."""

    def __init__(self, key):
        self.key = key
        self.slugs: set[str] = set()
        self.course_ids: set[int] = set()

    def __call__(self):
        slugs = set(self.slugs)
        if self.course_ids:
            from catalog.models import Course

            # From the primary: after the commit, before the fence is raised, a replica may lag.
            courses = Course.objects.using(DEFAULT_DB_ALIAS).filter(pk__in=self.course_ids)
            slugs.update(courses.values_list("slug", flat=True))
        course_invalidate(slugs=slugs)


def pending_flush(connection, make):
    """The flush queued for the transaction the application opened, queuing `make(key)` if none is.

    Django offers on_commit() but no way to find a callback already queued, nor to tell the
    transactions a test case wraps around every test from the application's own: both are read
    from Django's internals by catalog.db.internals (pinned by its tests).
    """
    if not connection.in_atomic_block:
        return make(None), True  # autocommit: the write has already committed; flush at once
    key = internals.application_transaction(connection)
    for func in internals.queued_on_commit(connection):
        if isinstance(func, _Changes) and func.key == key:
            return func, False
    return make(key), True


def course_changed(*, slugs=(), course_ids=(), using=DEFAULT_DB_ALIAS) -> None:
    """Record that these courses changed; the cache forgets them once the transaction commits."""
    changes, is_new = pending_flush(transaction.get_connection(using), _Changes)
    changes.slugs.update(slugs)
    changes.course_ids.update(pk for pk in course_ids if pk is not None)
    if is_new:
        transaction.on_commit(changes, using=using, robust=True)


_invalidations = 0
_listeners = []


def on_flush(listener) -> None:
    """Call `listener(surrogate keys)` after each flush, once the tokens are replaced (the edge purges:
    catalog.services.changes.edge, connected in catalog.apps). Its failures are its own."""
    if listener not in _listeners:
        _listeners.append(listener)


def flushed(surrogate_keys: list[str]) -> None:
    for listener in _listeners:
        try:
            listener(surrogate_keys)
        except Exception:  # noqa: BLE001 - the write has committed: it must still return
            logger.exception("a cache flush listener failed")


def invalidation_count() -> int:
    """Flushes this process has performed (observable in tests and metrics)."""
    return _invalidations


def course_invalidate(*, slugs) -> None:
    """Kill the lists, the topics and these courses' detail pages, in one round trip."""
    global _invalidations
    _invalidations += 1
    metrics.invalidation()
    tokens = {keys.scope(keys.LISTS): stores.new_token()}
    tokens.update({keys.scope(slug): stores.new_token() for slug in slugs})
    _replace(tokens)
    # After the tokens: an edge that refetches at once must not get the page the cache still held.
    flushed(surrogate.purge_keys(slugs))


def _replace(tokens) -> None:
    if backoff.in_window():
        backoff.needs_repair()
        return
    position = _fence_position()
    try:
        expiring = {key for key in tokens if keys.is_course_scope(key)}  # a set: an import names thousands
        stores.current().publish(
            tokens, fence_key=keys.fence(), fence=position, expiring=expiring, ttl=keys.course_token_ttl()
        )
    except Exception as exc:  # noqa: BLE001
        backoff.failed(exc, "invalidation")
        backoff.needs_repair()


def _fence_position():
    """The fence for this invalidation. If the primary cannot say right now, the tokens are still
    replaced, and the repair drops the fence (the next reader sets it from the primary)."""
    try:
        return fence.primary_lsn()
    except DatabaseError as exc:
        logger.warning("could not read the primary's WAL position for the replica fence (%s); repairing", exc)
        backoff.needs_repair()
        return None


def fence_read(*, initial=None) -> int | None:
    """The replica fence that invalidations raise; None when unknown (Redis unreachable)."""
    if not backoff.usable():
        return None
    try:
        return fence.read(stores.current(), keys.fence(), initial=initial)
    except Exception as exc:  # noqa: BLE001
        backoff.failed(exc, "fence")
        return None
