"""Redis failures never reach a caller: after one, this process leaves Redis alone for a while.

After a failure the process serves from the database for BACKOFF seconds, logging once per window.
If an invalidation itself failed, the entries that outlived the outage must never be served: the
process replaces the epoch token (killing every page) and drops the replica fence (the next reader
sets it again from the primary) as soon as Redis answers again, on its next cache use or from a
timer, whichever comes first.
"""

import logging
import threading
import time

from catalog import metrics
from catalog.cache import keys, stores

logger = logging.getLogger("catalog.cache")

BACKOFF = 1.0


class _State:
    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.needs_repair = False
        self.timer = None
        self.clock = time.monotonic


_state = _State()


def reset() -> None:
    """Forget the window and any pending repair (tests, and after settings change)."""
    with _state.lock:
        _state.down_until = 0.0
        _state.needs_repair = False


def set_clock(clock) -> None:
    """The clock that times the window (tests inject one instead of sleeping)."""
    _state.clock = clock


def failed(exc: BaseException, during: str) -> None:
    now = _state.clock()
    with _state.lock:
        first_in_window = now >= _state.down_until
        _state.down_until = now + BACKOFF
    if first_in_window:
        metrics.backoff(during)
        logger.warning(
            "catalog cache unavailable during %s (%s: %s); serving from the database for %.1fs",
            during,
            type(exc).__name__,
            exc,
            BACKOFF,
        )


def in_window() -> bool:
    return _state.clock() < _state.down_until


def usable() -> bool:
    """False inside a back-off window; repairs a failed invalidation before any other use."""
    if in_window():
        return False
    if _state.needs_repair:
        return repair()
    return True


def needs_repair() -> None:
    """An invalidation could not reach Redis: what it should have killed must die before any use."""
    _state.needs_repair = True
    _schedule()


def repair() -> bool:
    try:
        store = stores.current()
        store.set_many({keys.epoch(): stores.new_token()})
        store.delete(keys.fence())
    except Exception as exc:  # noqa: BLE001 - any Redis failure means "not yet"
        failed(exc, "repair")
        _schedule()
        return False
    _state.needs_repair = False
    logger.warning("catalog cache reachable again; every entry stored before the outage is now dead")
    return True


def _schedule() -> None:
    with _state.lock:
        if _state.timer is not None and _state.timer.is_alive():
            return
        timer = threading.Timer(BACKOFF, _from_timer)
        timer.daemon = True
        _state.timer = timer
    timer.start()


def _from_timer() -> None:
    with _state.lock:
        _state.timer = None
    if not _state.needs_repair:
        return
    if in_window():
        _schedule()
    else:
        repair()
