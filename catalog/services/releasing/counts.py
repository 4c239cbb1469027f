"""Kept counts (catalog.models.TopicCount per topic, FacetCount per topic, level, language and duration
range), kept in step with the listings that are counted.

Every service that makes a listing count (it goes live, as recorded) or stop counting (it is
removed) passes the change here, in its own transaction, keyed by key(listing). Inside deferred() (an
import file) the changes are summed and written once at the end (catalog.services.importing.batching),
so a long transaction holds the counts' row locks only for the moment of its commit.
"""

from collections import Counter

from django.db import connection

from catalog.domain.facets import duration_range
from catalog.models import FacetCount, Listing, TopicCount
from catalog.services.changes import buffers
from catalog.services.changes.feed import lock_appends

_TOPICS = TopicCount._meta.db_table
_FACETS = FacetCount._meta.db_table
_UPSERT_TOPIC = (
    f"INSERT INTO {_TOPICS} (topic, courses) VALUES (%s, %s) "
    f"ON CONFLICT (topic) DO UPDATE SET courses = {_TOPICS}.courses + EXCLUDED.courses"
)
_UPSERT_FACET = (
    f"INSERT INTO {_FACETS} (topic, level, language, span, courses) VALUES (%s, %s, %s, %s, %s) "
    f"ON CONFLICT (topic, level, language, span) DO UPDATE SET courses = {_FACETS}.courses + EXCLUDED.courses"
)


def key(listing) -> tuple[str, str, str, int]:
    """What a listing is counted under: (topic, level or "", language, duration range)."""
    return listing.topic, listing.level or "", listing.language, duration_range(listing.duration_minutes)


def keys(listings) -> Counter:
    return Counter(key(listing) for listing in listings)


def add(deltas: Counter) -> None:
    """Add `deltas` ({key(listing): courses}) to the kept counts."""
    deltas = Counter({k: n for k, n in deltas.items() if n})
    if not deltas:
        return
    buffer = buffers.count_deltas.get()
    if buffer is not None:
        buffer.update(deltas)
        return
    topics = Counter()
    for (topic, *_), n in deltas.items():
        topics[topic] += n
    # The feed's lock first, then the rows, sorted: every writer takes them in this order (a publish
    # counts its course, then appends to the feed; a deletion appends, then uncounts), so writers
    # queue and never deadlock.
    lock_appends()
    with connection.cursor() as cursor:
        cursor.executemany(_UPSERT_TOPIC, [(t, n) for t, n in sorted(topics.items()) if n])
        cursor.executemany(_UPSERT_FACET, [(*k, n) for k, n in sorted(deltas.items())])


def counted(listings) -> None:
    """These listings are live, as recorded: count them."""
    listings = [listing for listing in listings if not listing.counted]
    if not listings:
        return
    Listing.objects.filter(pk__in=[listing.pk for listing in listings]).update(counted=True)
    for listing in listings:
        listing.counted = True
    add(keys(listings))


def removed(listings) -> None:
    """These listings are about to be deleted: stop counting them."""
    deltas = Counter()
    for listing in listings:
        if listing.counted:
            deltas[key(listing)] -= 1
    add(deltas)
