"""Where a long transaction keeps its feed entries and topic-count changes until its end (see batching)."""

from contextvars import ContextVar

feed_entries: ContextVar[list | None] = ContextVar("catalog_feed_entries", default=None)
count_deltas: ContextVar[object | None] = ContextVar("catalog_count_deltas", default=None)
