"""Packing the sitemap's spans of course ids into files (catalog.domain.sitemaps.pack)."""

import datetime as dt

from catalog.domain.sitemaps import Span, block_ids, block_of, pack

T = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def at(minutes):
    return T + dt.timedelta(minutes=minutes)


def test_a_file_takes_the_next_spans_while_they_fit():
    spans = [(0, 9, 4, at(1), None), (10, 19, 6, at(3), None), (20, 29, 1, at(2), None), (30, 39, 9, at(0), None)]
    assert pack(spans, 10) == [Span(0, 19, 10, at(3)), Span(20, 39, 10, at(2))]
    assert pack(spans, 9) == [Span(0, 9, 4, at(1)), Span(10, 29, 7, at(3)), Span(30, 39, 9, at(0))]


def test_a_span_larger_than_a_file_is_a_file_of_its_own():
    assert pack([(1, 1, 2, at(0), None), (2, 2, 12, at(1), None), (3, 3, 2, at(2), None)], 10) == [
        Span(1, 1, 2, at(0)),
        Span(2, 2, 12, at(1)),
        Span(3, 3, 2, at(2)),
    ]


def test_a_span_whose_courses_all_left_changes_the_file_it_falls_in():
    spans = [(0, 9, 0, at(5), None), (10, 19, 3, at(1), None), (20, 29, 0, at(7), None), (30, 39, 9, at(2), None)]
    # The first, before any course: the next file's; the second: the file before it.
    assert pack(spans, 10) == [Span(10, 29, 3, at(7)), Span(30, 39, 9, at(2))]
    assert pack([(0, 9, 0, at(5), None), (10, 19, 3, at(1), None)], 10) == [Span(10, 19, 3, at(5))]
    assert pack([(0, 9, 0, at(5), None)], 10) == []


def test_a_file_changed_when_a_span_before_it_grew_or_shrank():
    # B shrank at 7 (a course left), which moves where every later file starts; A changed at 9
    # without a change of size (a new release of the same length), which moves nothing.
    spans = [(0, 9, 6, at(9), at(1)), (10, 19, 3, at(7), at(7)), (20, 29, 8, at(2), at(2)), (30, 39, 9, at(0), at(0))]
    assert pack(spans, 10) == [Span(0, 19, 9, at(9)), Span(20, 29, 8, at(7)), Span(30, 39, 9, at(7))]
    assert pack(spans[2:], 10) == [Span(20, 29, 8, at(2)), Span(30, 39, 9, at(2))]


def test_a_file_changed_when_the_span_after_it_grew_out_of_it():
    # The middle span grew at 5 and no longer fits beside the first: the first file lost it.
    spans = [(0, 9, 10, at(1), at(1)), (10, 19, 20, at(5), at(5)), (20, 29, 10, at(1), at(1))]
    assert pack(spans, 25) == [Span(0, 9, 10, at(5)), Span(10, 19, 20, at(5)), Span(20, 29, 10, at(5))]


def test_times_as_text_sort_like_the_times():
    # PostgreSQL's text of a timestamp drops trailing zeros of the fraction, and the whole fraction.
    spans = [
        (0, 9, 1, "2026-12-06 10:10:50.64+00", None),
        (10, 19, 1, "2026-12-06 10:10:50+00", None),
        (20, 29, 1, "2026-12-06 10:10:50.6+00", None),
    ]
    assert pack(spans, 10) == [Span(0, 29, 3, "2026-12-06 10:10:50.64+00")]
    assert pack(spans[1:], 10)[0].lastmod == "2026-12-06 10:10:50.6+00"


def test_blocks_of_course_ids():
    assert block_of(0) == block_of(99) == 0 and block_of(100) == 1
    assert block_ids(3) == (300, 399)
