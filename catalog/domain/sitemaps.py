"""Where the sitemap's files start and end: consecutive spans of course ids packed into files of at most
`limit` URLs, a course's pages never split between two files.

The services keep, per block of BLOCK consecutive course ids, how many live courses and pages it holds
and when it last changed (catalog.models.SitemapBlock). The index packs those blocks, so placing the
files reads a few hundred rows whatever the catalog's size; only a block larger than a file is read
course by course.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

# Course ids per kept block. Changing it needs a migration that counts the blocks again.
BLOCK = 100


def block_of(course_id: int) -> int:
    return course_id // BLOCK


def block_ids(block: int) -> tuple[int, int]:
    """The first and last course id of `block`."""
    return block * BLOCK, block * BLOCK + BLOCK - 1


@dataclass(frozen=True)
class Span:
    """Live courses with ids from `first` to `last` (inclusive): their `pages` (a course page and its
    module pages each) and when the newest of them changed."""

    first: int
    last: int
    pages: int
    lastmod: dt.datetime


def pack(spans: Iterable[Span], limit: int) -> list[Span]:
    """The files, in order: each takes the next spans while their pages fit in `limit`. A span larger
    than `limit` (a course that alone passes it) gets a file of its own. A span with no pages left (its
    courses all left) lists nothing but changed its file: its lastmod goes to the file before it, or,
    first of all, to the next."""
    files: list[Span] = []
    gone = None  # the lastmod of empty spans before the first file
    for span in spans:
        last = files[-1] if files else None
        if last is not None and last.pages + span.pages <= limit:
            files[-1] = Span(last.first, span.last, last.pages + span.pages, max(last.lastmod, span.lastmod))
        elif span.pages == 0:
            gone = span.lastmod if gone is None else max(gone, span.lastmod)
        else:
            files.append(span if gone is None else Span(span.first, span.last, span.pages, max(gone, span.lastmod)))
            gone = None
    return files
