"""Topic counts (catalog.models.TopicCount), kept in step with the listings that are counted.

Every service that makes a listing count (it goes live, as recorded) or stop counting (it is
removed) passes the change here, in its own transaction. Inside deferred() (an import file) the
changes are summed and written once at the end (catalog.services.importing.batching), so a long transaction
holds the counts' row locks only for the moment of its commit.
"""

from collections import Counter

from django.db import connection

from catalog.models import Listing, TopicCount
from catalog.services.changes import buffers
from catalog.services.changes.feed import lock_appends

_UPSERT = (
    f"INSERT INTO {TopicCount._meta.db_table} (topic, courses) VALUES (%s, %s) "
    f"ON CONFLICT (topic) DO UPDATE SET courses = {TopicCount._meta.db_table}.courses + EXCLUDED.courses"
)


def add(deltas: Counter) -> None:
    deltas = Counter({topic: n for topic, n in deltas.items() if n})
    if not deltas:
        return
    buffer = buffers.count_deltas.get()
    if buffer is not None:
        buffer.update(deltas)
        return
    # The feed's lock first, then the rows, sorted: every writer takes them in this order (a publish
    # counts its course, then appends to the feed; a deletion appends, then uncounts), so writers
    # queue and never deadlock.
    lock_appends()
    with connection.cursor() as cursor:
        cursor.executemany(_UPSERT, sorted(deltas.items()))


def counted(listings) -> None:
    """These listings are live, as recorded: count them."""
    listings = [listing for listing in listings if not listing.counted]
    if not listings:
        return
    Listing.objects.filter(pk__in=[listing.pk for listing in listings]).update(counted=True)
    for listing in listings:
        listing.counted = True
    add(Counter(listing.topic for listing in listings))


def removed(listings) -> None:
    """These listings are about to be deleted: stop counting them."""
    deltas = Counter()
    for listing in listings:
        if listing.counted:
            deltas[listing.topic] -= 1
    add(deltas)
