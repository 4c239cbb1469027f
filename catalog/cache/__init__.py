"""The learners' cache: the only django-redis user.

What is cached: the exact response bytes of what learners read (course list pages, course details,
the topics list), with their ETag. Editors never read or fill it.

- keys: every key, lock keys included;
- stores: raw Redis, or Django's in-process cache when REDIS_URL is unset;
- backoff: Redis failures fall back to the database, and a failed invalidation is repaired;
- pages: lookup (one round trip), store, the stampede lock;
- invalidation: the one flush per committed transaction that replaces tokens, never scans;
- routes: which learner URLs are cached, by URL name;
- counters: hit and miss counters, and the operator's view (stats, clear).
"""

import time

from catalog.cache import backoff, counters, stores
from catalog.cache.backoff import BACKOFF
from catalog.cache.counters import clear, ping
from catalog.cache.counters import summary as stats
from catalog.cache.invalidation import course_changed, course_invalidate, fence_read, invalidation_count
from catalog.cache.keys import SCHEMA as CACHE_SCHEMA
from catalog.cache.pages import Hit, Page, etag_for, lookup, lookup_or_wait, page, release, store

__all__ = [
    "BACKOFF",
    "CACHE_SCHEMA",
    "Hit",
    "Page",
    "clear",
    "course_changed",
    "course_invalidate",
    "etag_for",
    "fence_read",
    "invalidation_count",
    "lookup",
    "lookup_or_wait",
    "page",
    "ping",
    "release",
    "reset_process_state",
    "stats",
    "store",
]


def reset_process_state() -> None:
    """Forget the back-off window, pending repair and counters (tests, and after settings change)."""
    backoff.reset()
    backoff.set_clock(time.monotonic)
    counters.reset()
    stores.forget()
