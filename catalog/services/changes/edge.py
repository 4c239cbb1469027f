"""Edge purges: once a write has committed, every edge in front forgets what it changed, before the write returns.

The cache's one flush per committed transaction (catalog.cache.invalidation) hands its surrogate keys
here (connected in catalog.apps): each configured edge (catalog.services.changes.edge_http) is purged
at once, several in parallel. An edge that does not take it does not fail the write: the keys go to
the outbox (EdgePurge rows) and are purged again, with growing waits capped at MOST_WAIT seconds,
until it answers; by a thread of the process that wrote, by `catalog_tick` and by the worker's beat.
"""

import datetime as dt
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from catalog.cache import surrogate
from catalog.models import EdgePurge
from catalog.services.changes import edge_http

log = logging.getLogger(__name__)

MOST_WAIT = 10  # seconds between two tries of an edge that does not answer, at most
BATCH = 500  # outbox rows taken per round
RETRY_EVERY = 1.0  # the retry thread's pace while the outbox is not empty


def edges_purge(keys: list[str]) -> None:
    """Purge `keys` on every configured edge now; what an edge did not take goes to the outbox."""
    edges = edge_http.configured()
    if not edges or not keys:
        return
    failed = _purge_each(edges, keys)
    for edge, error in failed:
        log.warning("edge %s did not take a purge (%s); it is purged again until it does", edge.name, error)
        _keep(edge.name, keys, error)
    if failed:
        retry_thread.wake()


def _purge_each(edges, keys) -> list[tuple]:
    def purge(edge):
        try:
            edge.purge(keys)
        except edge_http.EdgeError as exc:
            return edge, str(exc)
        return None

    results = map(purge, edges) if len(edges) == 1 else _executor().map(purge, edges)
    return [result for result in results if result is not None]


_executor_lock = threading.Lock()
_executor_state = {}


def _executor() -> ThreadPoolExecutor:
    with _executor_lock:
        if "pool" not in _executor_state:
            _executor_state["pool"] = ThreadPoolExecutor(max_workers=8, thread_name_prefix="catalog-edge")
        return _executor_state["pool"]


def _keep(target: str, keys: list[str], error: str) -> None:
    now = timezone.now()
    row = EdgePurge(target=target, keys=" ".join(keys), last_error=error[:1000], next_attempt_at=now + _wait(1))
    try:
        row.save()
    except DatabaseError as exc:
        # The database went away right after the commit: this process keeps the purge until it can.
        log.error("could not keep a failed edge purge in the outbox (%s); this process retries it", exc)
        retry_thread.keep(row)


def _wait(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(2 ** (attempts - 1), MOST_WAIT))


def edge_purges_retry(*, now=None) -> int:
    """Purge again what the outbox holds and is due, each edge once with all its keys; returns how
    many rows were done. Rows are locked while their edge is tried, so concurrent retries skip them."""
    now = now or timezone.now()
    done = 0
    with transaction.atomic():
        due = EdgePurge.objects.filter(next_attempt_at__lte=now).order_by("id")
        if connection.vendor == "postgresql":
            due = due.select_for_update(skip_locked=True)
        rows = list(due[:BATCH])
        by_target: dict[str, list[EdgePurge]] = {}
        for row in rows:
            by_target.setdefault(row.target, []).append(row)
        for target, pending in by_target.items():
            done += _retry(target, pending, now)
    return done


def _retry(target: str, pending: list[EdgePurge], now) -> int:
    ids = [row.pk for row in pending]
    edge = edge_http.by_name(target)
    if edge is None:  # no longer configured: nothing to purge there
        EdgePurge.objects.filter(pk__in=ids).delete()
        return len(ids)
    keys = sorted({key for row in pending for key in row.keys.split()})
    if len(keys) > surrogate.MANY:
        keys = [surrogate.all_key()]
    try:
        edge.purge(keys)
    except edge_http.EdgeError as exc:
        attempts = max(row.attempts for row in pending) + 1
        EdgePurge.objects.filter(pk__in=ids).update(
            attempts=attempts, next_attempt_at=now + _wait(attempts), last_error=str(exc)[:1000]
        )
        return 0
    EdgePurge.objects.filter(pk__in=ids).delete()
    log.warning("edge %s took the purges it had missed (%d)", target, len(ids))
    return len(ids)


def edge_purges_pending() -> int:
    return EdgePurge.objects.count()


class _RetryThread:
    """This process retries the outbox every RETRY_EVERY seconds while it is not empty (and what it could
    not even write to the outbox), so a short outage of an edge costs seconds, not the next tick."""

    def __init__(self):
        self.lock = threading.Lock()
        self.wakeup = threading.Event()
        self.thread = None
        self.unsaved: list[EdgePurge] = []

    def keep(self, row: EdgePurge) -> None:
        with self.lock:
            self.unsaved.append(row)
        self.wake()

    def wake(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="catalog-edge-retry", daemon=True)
                self.thread.start()
        self.wakeup.set()

    def _run(self) -> None:
        while True:
            self.wakeup.wait(RETRY_EVERY)
            self.wakeup.clear()
            try:
                self._save_unsaved()
                edge_purges_retry()
                if not self.unsaved and not EdgePurge.objects.exists():
                    with self.lock:
                        if not self.wakeup.is_set():  # else a purge failed meanwhile: go on
                            self.thread = None
                            return
            except Exception:  # noqa: BLE001 - the database may be away too: try again later
                log.exception("edge purge retry failed; trying again")
            finally:
                connection.close()

    def _save_unsaved(self) -> None:
        with self.lock:
            rows, self.unsaved = self.unsaved, []
        try:
            EdgePurge.objects.bulk_create(rows)
        except DatabaseError:
            with self.lock:
                self.unsaved = rows + self.unsaved
            raise


retry_thread = _RetryThread()
