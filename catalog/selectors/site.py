"""Reads of the learner site's own pages: a module with its course's outline, and the sitemap's URLs."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from catalog.domain import documents, outline
from catalog.selectors.learners import earliest, listings_live, switch_times


def learner_module_page(*, slug: str, module_id: int, now=None) -> tuple[dict, dict, dict, dt.datetime | None] | None:
    """(course summary, module page, outline, when it next changes by itself) of a module of the live
    release; None when either is not there. One query, like the module endpoint's."""
    now = now or timezone.now()
    row = (
        listings_live(now=now)
        .filter(slug=slug)
        .annotate(**switch_times(now=now))
        .values_list("summary", "release__document", "next_live_from", "next_live_until")
        .first()
    )
    if row is None:
        return None
    page = documents.module_page(row[1], module_id)
    if page is None:
        return None
    return documents.loads(row[0]), page, outline.module_outline(row[1], module_id), earliest(row[2], row[3])


# The sitemaps protocol's limit of URLs in one file (and of files in one index).
SITEMAP_LIMIT = 50_000


@dataclass(frozen=True)
class SitemapFile:
    """One sitemap file: the live courses from `first` to `last` (course ids, inclusive), each with its
    course page and its module pages, at most SITEMAP_LIMIT URLs; `lastmod`, when the newest went live."""

    number: int
    first: int
    last: int
    lastmod: dt.datetime


def sitemap_files(*, now=None, limit: int | None = None) -> list[SitemapFile]:
    """The sitemap files of the live catalog: courses in id order, packed greedily (a course's pages never
    span two files; one course has at most MAX_UNITS × MAX_MODULES_PER_UNIT + 1 pages, under the limit).
    In id order, a new course lands in the last file, and the others keep their contents."""
    limit = limit or SITEMAP_LIMIT
    rows = listings_live(now=now).order_by("course_id").values_list("course_id", "module_count", "live_from")
    files: list[SitemapFile] = []
    first = last = lastmod = None
    count = 0
    for course_id, module_count, live_from in rows.iterator(chunk_size=10_000):
        pages = 1 + module_count
        if first is not None and count + pages > limit:
            files.append(SitemapFile(len(files) + 1, first, last, lastmod))
            first, count, lastmod = None, 0, None
        if first is None:
            first = course_id
        last, count = course_id, count + pages
        lastmod = live_from if lastmod is None else max(lastmod, live_from)
    if first is not None:
        files.append(SitemapFile(len(files) + 1, first, last, lastmod))
    return files


def sitemap_entries(file: SitemapFile, *, now=None) -> Iterator[tuple[str, list[int], dt.datetime]]:
    """(slug, module ids in course order, when its live release went live) of each course of `file`."""
    rows = (
        listings_live(now=now)
        .filter(course_id__gte=file.first, course_id__lte=file.last)
        .order_by("course_id")
        .values_list("slug", "detail", "live_from")
    )
    for slug, detail, live_from in rows.iterator(chunk_size=2_000):
        tree = documents.loads(detail)
        yield slug, [m["id"] for u in tree["units"] for m in u["modules"]], live_from
