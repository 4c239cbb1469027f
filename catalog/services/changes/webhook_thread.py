"""Without a broker (`make run`): one daemon thread per process runs the webhook sweep after each commit
that made deliveries, every WEBHOOKS_SWEEP_SECONDS while the process lives (retries), and once more
when the process exits (a management command's changes leave with it, not with the next change)."""

import atexit
import logging
import threading

from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)

_lock = threading.Lock()
_wake = threading.Event()
_stop = threading.Event()
_state = {"thread": None, "sweep": None, "flush": False}
FLUSH_SECONDS = 10  # the most an exiting process waits for its last sweep


def wake(sweep) -> None:
    """Have `sweep()` run soon in this process's sender thread (started on first use)."""
    with _lock:
        _state["sweep"] = sweep
        thread = _state["thread"]
        if thread is None or not thread.is_alive():
            _stop.clear()
            _state["flush"] = False
            thread = threading.Thread(target=_run, name="catalog-webhooks", daemon=True)
            _state["thread"] = thread
            thread.start()
    _wake.set()


def stop(timeout: float = 15, *, flush: bool = False) -> None:
    """End the thread; with `flush`, after one last sweep."""
    with _lock:
        thread, _state["thread"] = _state["thread"], None
        _state["flush"] = flush
    _stop.set()
    _wake.set()
    if thread is not None:
        thread.join(timeout)


def _run() -> None:
    while True:
        _wake.wait(settings.WEBHOOKS_SWEEP_SECONDS)
        _wake.clear()
        stopping = _stop.is_set()
        if not stopping or _state["flush"]:
            try:
                _state["sweep"]()
            except Exception:
                log.exception("webhook sweep failed; trying again at the next one")
            finally:
                connection.close()
        if stopping:
            return


atexit.register(lambda: stop(FLUSH_SECONDS, flush=True))
