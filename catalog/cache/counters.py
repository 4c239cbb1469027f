"""Hit and miss counters (batched per process) and the operator's view of the cache."""

import threading

from django.conf import settings

from catalog.cache import backoff, invalidation, keys, stores, surrogate

FLUSH_EVERY = 100
NAMES = ("hits", "misses")

_lock = threading.Lock()
_counts = dict.fromkeys(NAMES, 0)


def count(name: str) -> None:
    _counts[name] += 1
    if sum(_counts.values()) >= FLUSH_EVERY:
        flush()


def reset() -> None:
    global _counts
    with _lock:
        _counts = dict.fromkeys(NAMES, 0)


def flush() -> None:
    global _counts
    with _lock:
        counts, _counts = _counts, dict.fromkeys(NAMES, 0)
    try:
        stores.current().incr({keys.stat(name): n for name, n in counts.items()})
    except Exception as exc:  # noqa: BLE001
        backoff.failed(exc, "stats")


def ping() -> str:
    """ "ok", "unavailable", or "in-process" when no Redis is configured (for /readyz)."""
    if not stores.is_redis():
        return "in-process"
    try:
        stores.current().ping()
    except Exception:  # noqa: BLE001
        return "unavailable"
    return "ok"


def summary() -> dict:
    flush()
    store = stores.current()
    hits, misses, epoch, lists = store.mget(
        [keys.stat("hits"), keys.stat("misses"), keys.epoch(), keys.scope(keys.LISTS)]
    )
    return {
        "backend": settings.CACHES["default"]["BACKEND"],
        "prefix": keys.prefix(),
        "pages": store.count_pages(keys.prefix()),
        "hits": int(hits or 0),
        "misses": int(misses or 0),
        "epoch": _text(epoch),
        "lists_generation": _text(lists),
        "ttl": settings.CATALOG_CACHE_TTL,
    }


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def clear() -> None:
    """Drop every catalog key (operators only: this one scans)."""
    store = stores.current()
    store.clear(keys.prefix())
    store.set_many({keys.epoch(): stores.new_token()})
    invalidation.flushed([surrogate.all_key()])  # the edge forgets everything too
