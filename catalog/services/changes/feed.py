"""Appending to the change feed, in the transaction of the change itself (a rollback appends nothing).

Every way a course enters or leaves learners' view calls this: publishing (now, scheduled, in an
import), withdrawing (unpublish, archive, scheduled), deleting, and moving to a new slug.

Appends are serialised: a writer takes one transaction-level lock just before it inserts entries
and holds it until it commits, so entry ids are handed out in commit order and a follower that
has read entry n can never later find an entry below n (the sequence gaps that transactions
committing out of order leave in other feeds). The lock is held only from the append to the
commit; a long transaction (an import file) buffers its entries and appends them at its very end
(catalog.services.importing.batching).
"""

import datetime as dt

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from catalog.db.copying import copy_rows, draw_ids
from catalog.models import FeedEntry, FeedHorizon, Listing
from catalog.services.changes import buffers
from catalog.services.changes.webhooks import deliveries_enqueue

Kind = FeedEntry.Kind
LOCK = 0x636174616C6F67  # "catalog": the advisory lock of feed appends
COLUMNS = ["id", "course_id", "slug", "kind", "release", "at", "summary"]


def feed_append(entries: list[FeedEntry]) -> None:
    if not entries:
        return
    buffer = buffers.feed_entries.get()
    if buffer is not None:
        buffer.extend(entries)
        return
    _write(entries)


def lock_appends() -> None:
    """Wait for the feed's lock, held until this transaction ends: appends are serialised, so entries
    commit in the order of their ids and a follower never reads past one that commits later. A
    transaction that also changes topic counts takes this lock before the counts' rows (see
    catalog.services.releasing.counts), so that two such writers always lock in the same order."""
    if connection.vendor == "postgresql":  # SQLite serialises writers by itself
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])


def _write(entries: list[FeedEntry]) -> None:
    if not entries:
        return
    lock_appends()
    if connection.vendor == "postgresql" and len(entries) > 1:
        # Ids drawn under the lock, like an insert's: an import's thousands of entries are one COPY.
        for entry, pk in zip(entries, draw_ids(FeedEntry, len(entries)), strict=True):
            entry.pk = pk
        copy_rows(FeedEntry, COLUMNS, [tuple(getattr(e, name) for name in COLUMNS) for e in entries])
    else:
        FeedEntry.objects.bulk_create(entries, batch_size=1000)
    deliveries_enqueue(entries)  # the webhooks' outbox: sent after commit, or never if this rolls back


def published_entry(listing: Listing, *, at=None) -> FeedEntry:
    """`at`: when learners could first see the listing at its slug (its live_from, unless it moved there later)."""
    return FeedEntry(
        course_id=listing.course_id,
        slug=listing.slug,
        kind=Kind.PUBLISHED,
        release=listing.release.number,
        at=at or listing.live_from,
        summary=listing.summary,
    )


def removed_entry(*, course_id: int, slug: str, release: int | None, at=None) -> FeedEntry:
    return FeedEntry(course_id=course_id, slug=slug, kind=Kind.REMOVED, release=release, at=at or timezone.now())


def feed_published(listing: Listing, *, at=None) -> None:
    feed_append([published_entry(listing, at=at)])


def feed_removed(*, course_id: int, slug: str, release: int | None, at=None) -> None:
    feed_append([removed_entry(course_id=course_id, slug=slug, release=release, at=at)])


def feed_compact(*, retention_days: int, now=None) -> int:
    """Drop entries older than `retention_days`, except each course's latest (a follower can always
    resume from the current state); cursors from before the newest dropped entry become too old."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=retention_days)
    latest = FeedEntry.objects.values("course_id").annotate(last=Max("id")).values("last")
    doomed = FeedEntry.objects.filter(at__lt=cutoff).exclude(id__in=latest)
    with transaction.atomic():
        newest = doomed.aggregate(n=Max("id"))["n"]
        if newest is None:
            return 0
        deleted, _ = doomed.delete()
        horizon, _ = FeedHorizon.objects.get_or_create(pk=1)
        horizon.entry = max(horizon.entry, newest)
        horizon.compacted_at = now
        horizon.save()
    return deleted
