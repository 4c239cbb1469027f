"""deferred(): inside a long transaction (an import file), append its feed entries and topic-count
changes once, at its end, so it holds the feed's lock and the counts' rows only while it commits."""

import contextlib

from django.db import transaction

from catalog.services.changes import buffers, feed
from catalog.services.releasing import counts


@contextlib.contextmanager
def deferred():
    entries_token = buffers.feed_entries.set([])
    counts_token = buffers.count_deltas.set(counts.Deltas())
    try:
        yield
        entries, deltas = buffers.feed_entries.get(), buffers.count_deltas.get()
    finally:
        buffers.feed_entries.reset(entries_token)
        buffers.count_deltas.reset(counts_token)
    if not transaction.get_rollback():  # a dry run, or a file with errors, writes nothing
        counts.add(deltas)
        feed.feed_append(entries)
