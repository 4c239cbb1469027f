"""Kept counts (catalog.models.TopicCount per topic, FacetCount per topic, level, language and duration
range, SitemapBlock per block of course ids), kept in step with the listings that are counted.

Every service that makes a listing count (it goes live, as recorded) or stop counting (it is
removed) passes the change here, in its own transaction, keyed by key(listing). Inside deferred() (an
import file) the changes are summed and written once at the end (catalog.services.importing.batching),
so a long transaction holds the counts' row locks only for the moment of its commit.
"""

import contextlib
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from catalog import cache
from catalog.domain import sitemaps
from catalog.domain.facets import duration_range
from catalog.models import FacetCount, Listing, SitemapBlock, TopicCount
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
_BLOCKS = SitemapBlock._meta.db_table
_UPSERT_BLOCK = (
    f"INSERT INTO {_BLOCKS} (block, courses, pages, lastmod, resized) VALUES (%s, %s, %s, %s, %s) "
    f"ON CONFLICT (block) DO UPDATE SET courses = {_BLOCKS}.courses + EXCLUDED.courses, "
    f"pages = {_BLOCKS}.pages + EXCLUDED.pages, "  # the latest change, on PostgreSQL and SQLite alike:
    f"lastmod = CASE WHEN EXCLUDED.lastmod > {_BLOCKS}.lastmod THEN EXCLUDED.lastmod ELSE {_BLOCKS}.lastmod END, "
    f"resized = CASE WHEN {_BLOCKS}.resized IS NULL OR EXCLUDED.resized > {_BLOCKS}.resized "
    f"THEN coalesce(EXCLUDED.resized, {_BLOCKS}.resized) ELSE {_BLOCKS}.resized END"
)


@dataclass
class Deltas:
    """Changes to the kept counts: courses per key(listing), and per sitemap block its courses, its
    pages and when it changed (the latest change wins: a block's lastmod never goes back; its resized
    moves with it when its pages changed, net)."""

    facets: Counter = field(default_factory=Counter)
    courses: Counter = field(default_factory=Counter)
    pages: Counter = field(default_factory=Counter)
    changed: dict = field(default_factory=dict)

    def __bool__(self):
        return any(self.facets.values()) or bool(self.changed)

    def count(self, listing, sign: int, at) -> None:
        """`listing` starts (1) or stops (-1) counting, as of `at`."""
        self.facets[key(listing)] += sign
        block = sitemaps.block_of(listing.course_id)
        self.courses[block] += sign
        self.pages[block] += sign * (listing.module_count + 1)  # its course page and module pages
        self.changed[block] = max(self.changed.get(block, at), at)

    def topics(self) -> Counter:
        """Courses per topic, from the facets' changes."""
        topics = Counter()
        for (topic, *_), n in self.facets.items():
            topics[topic] += n
        return topics

    def update(self, other: "Deltas") -> None:
        self.facets.update(other.facets)
        self.courses.update(other.courses)
        self.pages.update(other.pages)
        for block, at in other.changed.items():
            self.changed[block] = max(self.changed.get(block, at), at)


def key(listing) -> tuple[str, str, str, int]:
    """What a listing is counted under: (topic, level or "", language, duration range)."""
    return listing.topic, listing.level or "", listing.language, duration_range(listing.duration_minutes)


def gone_live(listings) -> Deltas:
    """What counting these listings adds: each went live at its live_from."""
    deltas = Deltas()
    for listing in listings:
        deltas.count(listing, 1, listing.live_from)
    return deltas


def add(deltas: Deltas) -> None:
    """Add `deltas` to the kept counts."""
    if not deltas:
        return
    buffer = buffers.count_deltas.get()
    if buffer is not None:
        buffer.update(deltas)
        return
    topics = deltas.topics()
    # The feed's lock first, then the rows, sorted: every writer takes them in this order (a publish
    # counts its course, then appends to the feed; a deletion appends, then uncounts), so writers
    # queue and never deadlock.
    lock_appends()
    with connection.cursor() as cursor:
        cursor.executemany(_UPSERT_TOPIC, [(t, n) for t, n in sorted(topics.items()) if n])
        cursor.executemany(_UPSERT_FACET, [(*k, n) for k, n in sorted(deltas.facets.items()) if n])
        at = connection.ops.adapt_datetimefield_value  # SQLite keeps text that sorts like the times
        rows = [
            (b, deltas.courses[b], deltas.pages[b], at(moment), at(moment) if deltas.pages[b] else None)
            for b, moment in sorted(deltas.changed.items())
        ]
        cursor.executemany(_UPSERT_BLOCK, rows)


@contextlib.contextmanager
def summed():
    """Sum the count changes made inside and write them once, at the end: a listing replaced by another
    is then one change, and a sitemap block whose size did not change, net, keeps when it last did.
    Inside another summed() (an import's deferred()) it does nothing more; in a transaction marked for
    rollback (a dry run, a file with errors) it writes nothing."""
    if buffers.count_deltas.get() is not None:
        yield
        return
    token = buffers.count_deltas.set(Deltas())
    try:
        yield
        deltas = buffers.count_deltas.get()
    finally:
        buffers.count_deltas.reset(token)
    if not transaction.get_rollback():
        add(deltas)


def counted(listings) -> None:
    """These listings are live, as recorded: count them."""
    listings = [listing for listing in listings if not listing.counted]
    if not listings:
        return
    Listing.objects.filter(pk__in=[listing.pk for listing in listings]).update(counted=True)
    for listing in listings:
        listing.counted = True
    add(gone_live(listings))


def removed(listings) -> None:
    """These listings are about to be deleted: stop counting them. Each left learners when its window
    ended, or now (a withdrawal, a new release, a deletion)."""
    now = timezone.now()
    deltas = Deltas()
    for listing in listings:
        if listing.counted:
            ended = listing.live_until if listing.live_until is not None and listing.live_until <= now else now
            deltas.count(listing, -1, ended)
    add(deltas)


@transaction.atomic
def recount() -> dict[str, int]:
    """Count every kept count again from the counted listings, and say how many rows were wrong: after
    a deployment in which code that did not keep some of them yet wrote (between `migrate` and the new
    code taking traffic). A sitemap block that was right keeps its times; one that was wrong changed
    without being kept, so it is marked changed (and resized) now. Not inside deferred(): the import's
    own listings would be counted twice."""
    if buffers.count_deltas.get() is not None:
        raise RuntimeError("counts.recount() inside deferred(): its changes would be counted twice")
    lock_appends()
    fresh = gone_live(
        Listing.objects.filter(counted=True)
        .order_by()
        .only("course_id", "module_count", "live_from", "topic", "level", "language", "duration_minutes")
        .iterator(chunk_size=5000)
    )
    wrong = {
        "topics": _wrong(dict(TopicCount.objects.values_list("topic", "courses")), fresh.topics()),
        "facets": _wrong(
            {(f.topic, f.level, f.language, f.span): f.courses for f in FacetCount.objects.all()}, fresh.facets
        ),
    }
    kept = {b.block: b for b in SitemapBlock.objects.all()}
    now = timezone.now()
    blocks, wrong["sitemap blocks"] = [], 0
    for block in sorted(set(kept) | set(fresh.changed)):
        courses, pages, old = fresh.courses[block], fresh.pages[block], kept.get(block)
        if old is not None and (old.courses, old.pages) == (courses, pages):
            blocks.append(old)
        else:
            blocks.append(SitemapBlock(block=block, courses=courses, pages=pages, lastmod=now, resized=now))
            wrong["sitemap blocks"] += 1
    TopicCount.objects.all().delete()
    FacetCount.objects.all().delete()
    SitemapBlock.objects.all().delete()
    add(Deltas(facets=fresh.facets))
    SitemapBlock.objects.bulk_create(blocks, batch_size=1000)
    if any(wrong.values()):
        cache.course_changed()  # the lists, facets and sitemaps showed the wrong counts
    return wrong


def _wrong(kept: dict, counted: Counter) -> int:
    return sum(1 for k in set(kept) | set(counted) if kept.get(k, 0) != counted.get(k, 0))
