"""Reads of the learner site's own pages: a module with its course's outline, and the sitemap's URLs."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connections, router
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalog.db.sql import live_window
from catalog.domain import documents, outline, sitemaps
from catalog.models import Listing, SitemapBlock
from catalog.selectors import learners


def learner_module_page(*, slug: str, module_id: int, now=None) -> tuple[dict, dict, dict, dt.datetime | None] | None:
    """(course summary, module page, outline, when it next changes by itself) of a module of the live
    release; None when either is not there. One query, like the module endpoint's."""
    found = learners.live_module(slug=slug, module_id=module_id, now=now)
    if found is None:
        return None
    summary, document, page, switch = found
    return summary, page, outline.module_outline(document, module_id), switch


# The sitemaps protocol's limit of URLs in one file (and of files in one index).
SITEMAP_LIMIT = 50_000
LAST_ID = 2**62  # the last file's end: past any course id
_LISTING = f'"{Listing._meta.db_table}"'
_LIVE = live_window()
# The kept blocks (catalog.models.SitemapBlock; empty ones too: a file that lost its last course in one
# changed), corrected by the few listings whose scheduled switch has come but is not recorded yet (as
# selectors.learner_kept_combinations corrects the facet counts): the ones gone live count from their
# live_from, the ones gone away stop counting at their live_until, and the ones that came and went
# again changed their block at their live_until. Summed per course first, as recording sums a course's
# switches (catalog.services.releasing.schedule): a release replaced by one of its size resizes nothing.
# Times come as text (PostgreSQL, in the session's UTC: "2026-12-06 10:10:50.64+00"; SQLite as
# stored), which sorts like the times: parsing a thousand timestamps would cost more than the statement.
# Summed here rather than grouped by the database: a thousand rows hashed and sorted there took 3 ms.
_BLOCKS_SQL = (
    "SELECT block, courses, pages, CAST(lastmod AS TEXT), CAST(resized AS TEXT) "
    f'FROM "{SitemapBlock._meta.db_table}" '
    "UNION ALL SELECT course_id / %s, SUM(courses), SUM(pages), CAST(MAX(at) AS TEXT), "
    "CAST(CASE WHEN SUM(pages) <> 0 THEN MAX(at) END AS TEXT) FROM ("
    f"SELECT course_id, 1 AS courses, module_count + 1 AS pages, live_from AS at FROM {_LISTING} "
    f"WHERE NOT counted AND {_LIVE} "
    # IS NOT NULL tells a prepared statement's one plan (made without the time) that few rows qualify.
    f"UNION ALL SELECT course_id, -1, -1 - module_count, live_until FROM {_LISTING} "
    "WHERE counted AND live_until IS NOT NULL AND live_until <= %s "
    f"UNION ALL SELECT course_id, 0, 0, live_until FROM {_LISTING} "
    "WHERE NOT counted AND live_from <= %s AND live_until IS NOT NULL AND live_until <= %s"
    ") switched GROUP BY course_id"
)
# A block larger than a file, course by course (the listing_sitemap index, PostgreSQL: no table read).
_COURSES_SQL = (
    f"SELECT course_id, module_count + 1 FROM {_LISTING} "
    f"WHERE course_id >= %s AND course_id <= %s AND {_LIVE} ORDER BY course_id"
)
_ENTRIES_SQL = (
    f"SELECT slug, detail, CAST(live_from AS TEXT) FROM {_LISTING} "
    f"WHERE course_id >= %s AND course_id <= %s AND {_LIVE} ORDER BY course_id"
)


@dataclass(frozen=True)
class SitemapFile:
    """One sitemap file: the live courses from `first` to `last` (course ids, inclusive), each with its
    course page and its module pages, at most SITEMAP_LIMIT URLs; `lastmod`, when any of them last
    changed (went live, or left)."""

    number: int
    first: int
    last: int
    lastmod: dt.datetime
    pages: int  # as counted: the URLs it lists


def sitemap_files(*, now=None, limit: int | None = None) -> list[SitemapFile]:
    """The sitemap files of the live catalog: the kept blocks of course ids packed into files in id
    order (catalog.domain.sitemaps), so a new course lands in the last file. A few hundred rows at
    100,000 courses; only a block larger than a file is read course by course. A file's lastmod is
    when the newest change among its blocks happened (a course went live or left)."""
    now = now or timezone.now()
    limit = limit or SITEMAP_LIMIT
    blocks: dict[int, tuple] = {}  # the kept rows, then the corrections (a few) added in
    for block, _courses, pages, lastmod, resized in _rows(_BLOCKS_SQL, [sitemaps.BLOCK, now, now, now, now, now]):
        kept = blocks.get(block)
        if kept is not None:
            pages, lastmod, resized = kept[0] + pages, max(kept[1], lastmod), sitemaps.later(kept[2], resized)
        blocks[block] = (int(pages), lastmod, resized)
    spans = []
    for block, (pages, lastmod, resized) in sorted(blocks.items()):
        first, last = sitemaps.block_ids(block)
        if pages <= limit:  # a block whose courses all left too: its lastmod is its file's
            spans.append((first, last, pages, lastmod, resized))
        else:
            courses = _rows(_COURSES_SQL, [first, last, now, now])
            spans += [(c, c, n, lastmod, resized if i == 0 else None) for i, (c, n) in enumerate(courses)]
    files = sitemaps.pack(spans, limit)
    if not files:
        return []
    # Each file starts where the one before it ended, and the last has no end: a course never falls
    # between two files, even should a block's count be wrong (see catalog_recount).
    starts = [0, *(file.last + 1 for file in files[:-1])]
    ends = [*(file.last for file in files[:-1]), LAST_ID]
    return [
        SitemapFile(i, start, end, _aware(file.lastmod), file.pages)
        for i, (file, start, end) in enumerate(zip(files, starts, ends, strict=True), 1)
    ]


def sitemap_entries(file: SitemapFile, *, now=None) -> Iterator[tuple[str, list[int], str]]:
    """(slug, module ids in course order, when its live release went live as W3C text in UTC) of each
    course of `file`. The time is formatted by the database: parsing 5,000 timestamps costs more."""
    now = now or timezone.now()
    for slug, detail, live_from in _rows(_ENTRIES_SQL, [file.first, file.last, now, now]):
        tree = documents.loads(detail)
        # PostgreSQL (session time zone UTC): "2026-12-06 04:47:16.12+00"; SQLite: "2026-12-06 04:47:16.123456".
        yield slug, [m["id"] for u in tree["units"] for m in u["modules"]], f"{live_from[:10]}T{live_from[11:19]}+00:00"


def _rows(sql: str, params: list) -> list:
    connection = connections[router.db_for_read(Listing)]
    params = [connection.ops.adapt_datetimefield_value(p) if isinstance(p, dt.datetime) else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _aware(value) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else parse_datetime(value)
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC)
