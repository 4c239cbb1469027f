"""Where the sitemap's files start and end: consecutive spans of course ids packed into files of at most
`limit` URLs, a course's pages never split between two files.

The services keep, per block of BLOCK consecutive course ids, how many live courses and pages it holds
and when it last changed (catalog.models.SitemapBlock). The index packs those blocks, so placing the
files reads a few hundred rows whatever the catalog's size; only a block larger than a file is read
course by course.
"""

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
    module pages each) and when the newest of them changed (a datetime, or text that sorts like one)."""

    first: int
    last: int
    pages: int
    lastmod: object


def pack(spans: Iterable[tuple], limit: int) -> list[Span]:
    """The files, in order, from spans of (first, last, pages, lastmod, resized): each file takes the
    next spans while their pages fit in `limit`; a span larger than `limit` (a course that alone passes
    it) gets a file of its own. A file changed when one of its spans did (lastmod), when a span before
    it grew or shrank (resized, None when never), since that moves where the file starts, and when the
    span after it did, which it may have held before. A span
    with no pages left (its courses all left) lists nothing but changed its file: its lastmod goes to
    the file before it, or, first of all, to the next."""
    files: list[Span] = []
    first = last = pages = lastmod = None  # the file being filled
    gone = None  # the lastmod of empty spans before the first file
    moved = None  # the latest resize of the spans so far
    for start, end, n, changed, resized in spans:
        if pages is not None and pages + n <= limit:  # the usual case, kept cheap: a thousand a call
            last, pages = end, pages + n
            if changed > lastmod:
                lastmod = changed
        elif n == 0:
            gone = later(gone, changed)
        else:
            if pages is not None:  # it may have held this span before it grew: it changed then
                files.append(Span(first, last, pages, later(lastmod, resized)))
            first, last, pages, lastmod = start, end, n, later(later(changed, gone), moved)
            gone = None
        if resized is not None and (moved is None or resized > moved):
            moved = resized
    if pages is not None:
        files.append(Span(first, last, pages, lastmod))
    return files


def later(a, b):
    """The later of two times, either of which may be None (never)."""
    return b if a is None else a if b is None else max(a, b)
