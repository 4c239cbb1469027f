"""deferred(): inside a long transaction (an import file), append its feed entries and topic-count
changes once, at its end, so it holds the feed's lock and the counts' rows only while it commits."""

import contextlib

from django.db import transaction

from catalog.services.changes import buffers, feed
from catalog.services.releasing import counts


@contextlib.contextmanager
def deferred():
    entries_token = buffers.feed_entries.set([])
    try:
        with counts.summed():  # the counts first, as a publish writes them
            yield
        entries = buffers.feed_entries.get()
    finally:
        buffers.feed_entries.reset(entries_token)
    if not transaction.get_rollback():  # a dry run, or a file with errors, writes nothing
        feed.feed_append(entries)
