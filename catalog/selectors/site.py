"""Reads of the learner site's own pages: a module with its course's outline, and the sitemap's URLs."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connections, router
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalog.domain import documents, outline
from catalog.models import Listing
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
_LISTING = f'"{Listing._meta.db_table}"'
_LIVE = "live_from <= %s AND (live_until IS NULL OR live_until > %s)"  # selectors.learners.live_at, in SQL
# Courses in id order, each in file (pages before it) // budget, where budget = limit - the most pages one
# course has: a file's last course starts inside its budget, so no file passes the limit, and a course's
# pages never span two files. Numbers may skip (a course larger than the budget): files are renumbered.
# One pass over the live listings' narrow columns (a window and a group), on PostgreSQL and SQLite alike.
# `live` is read twice rather than kept: kept, it lost the index's course order and was sorted again
# (on disk at 80,000 courses); the running sum counts rows (a course has one live listing), not peers.
_FILES_SQL = f"""
WITH live AS NOT MATERIALIZED (SELECT course_id, module_count + 1 AS pages, live_from FROM {_LISTING} WHERE {_LIVE}),
budget AS (SELECT CASE WHEN %s - MAX(pages) > 0 THEN %s - MAX(pages) ELSE 1 END AS size FROM live),
placed AS (
    SELECT course_id, live_from,
        (SUM(pages) OVER (ORDER BY course_id ROWS UNBOUNDED PRECEDING) - pages) / (SELECT size FROM budget) AS bucket
    FROM live
)
SELECT MIN(course_id), MAX(course_id), MAX(live_from) FROM placed GROUP BY bucket ORDER BY bucket
"""
_ENTRIES_SQL = (
    f"SELECT slug, detail, CAST(live_from AS TEXT) FROM {_LISTING} "
    f"WHERE course_id >= %s AND course_id <= %s AND {_LIVE} ORDER BY course_id"
)


@dataclass(frozen=True)
class SitemapFile:
    """One sitemap file: the live courses from `first` to `last` (course ids, inclusive), each with its
    course page and its module pages, at most SITEMAP_LIMIT URLs; `lastmod`, when the newest went live."""

    number: int
    first: int
    last: int
    lastmod: dt.datetime


def sitemap_files(*, now=None, limit: int | None = None) -> list[SitemapFile]:
    """The sitemap files of the live catalog. In course id order, a new course lands in the last file."""
    now = now or timezone.now()
    limit = limit or SITEMAP_LIMIT
    rows = _rows(_FILES_SQL, [now, now, limit, limit])
    return [SitemapFile(i, first, last, _aware(lastmod)) for i, (first, last, lastmod) in enumerate(rows, 1)]


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
