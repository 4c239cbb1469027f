"""Learners' facets: the topic, level, language and duration-range combinations of the live courses
a page narrows (all, or a search's), with their counts; catalog.domain.facets sums them into every
facet's counts and the page's total. Without a search they come from the kept counts
(catalog.models.FacetCount, O(combinations)); a search's are one grouped read of its candidates."""

import datetime as dt
from collections import Counter

from django.db import connections, router
from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.utils import timezone

from catalog.db.sql import live_window
from catalog.domain.facets import DURATION_RANGES, LONGER, UNKNOWN_RANGE, Combination, duration_range, ranges_within
from catalog.models import FacetCount, Listing
from catalog.selectors.learners import _rows, earliest


def learner_facet_combinations(qs: QuerySet, *, max_duration: int | None = None) -> list[Combination]:
    ranges = [When(duration_minutes__isnull=True, then=Value(UNKNOWN_RANGE))]
    ranges += [When(duration_minutes__lte=limit, then=Value(limit)) for limit in DURATION_RANGES]
    if max_duration is None:
        within = Value(1, output_field=IntegerField())
    else:
        within = Case(When(duration_minutes__lte=max_duration, then=Value(1)), default=Value(0))
    rows = (
        qs.order_by()
        .annotate(range=Case(*ranges, default=Value(LONGER), output_field=IntegerField()), within=within)
        .values_list("topic", "level", "language", "range", "within")
        .annotate(n=Count("id"))
    )
    return [Combination(*row) for row in rows]


_FACETS = f'"{FacetCount._meta.db_table}"'
_KEPT_SQL = (
    f"SELECT topic, level, language, span, courses, 'kept', NULL, NULL FROM {_FACETS} WHERE courses <> 0 "
    f"UNION ALL SELECT topic, level, language, NULL, 1, 'in', live_until, duration_minutes FROM "
    f'"{Listing._meta.db_table}" WHERE NOT counted AND live_from <= %s '
    # IS NOT NULL tells the prepared statement's one plan (made without the time) that few rows qualify.
    f"UNION ALL SELECT topic, level, language, NULL, 1, 'out', live_until, duration_minutes FROM "
    f'"{Listing._meta.db_table}" WHERE counted AND live_until IS NOT NULL AND live_until <= %s'
)


def learner_kept_combinations(*, max_duration: int | None = None, now=None) -> list[Combination] | None:
    """The combinations of every live course, as learner_facet_combinations would group them, from the
    kept counts in one query whatever the catalog's size (like selectors.learner_counts: corrected by
    the few listings whose scheduled switch has come but is not recorded). None when `max_duration`
    cuts through a duration range: only the courses' own durations can tell then."""
    within = ranges_within(max_duration)
    if within is None:
        return None
    now = now or timezone.now()
    counts = Counter()
    for topic, level, language, span, n, kind, live_until, minutes in _rows(_KEPT_SQL, [now, now], times=(6,)):
        if kind == "kept":
            counts[(topic, level or None, language, span)] += n
        elif kind == "out":
            counts[(topic, level or None, language, duration_range(minutes))] -= 1  # withdrawn, not recorded yet
        elif live_until is None or live_until > now:
            counts[(topic, level or None, language, duration_range(minutes))] += 1  # gone live, not recorded yet
    return [Combination(*k, int(k[3] in within), n) for k, n in counts.items() if n]


# The learners' narrowed list (topic, level, language, max_duration; newest first) in one statement:
# its count from the kept counts (O(combinations), corrected by the listings whose scheduled switch is
# not recorded yet) or, for a max_duration inside a range, from the filtered lists' indexes; a page's
# stored summaries from those indexes, LIMITed (migration 0017).
_LISTING = f'"{Listing._meta.db_table}"'
_LIVE = live_window("p")
_SCANNED_COUNT = f"(SELECT count(*) FROM {_LISTING} p WHERE {{narrowed}})"
_KEPT_COUNT = (
    f"((SELECT coalesce(sum(f.courses), 0) FROM {_FACETS} f WHERE {{kept}}) "
    f"+ (SELECT count(*) FROM {_LISTING} p WHERE NOT p.counted AND p.live_from <= %s "
    "AND (p.live_until IS NULL OR p.live_until > %s) AND {filters}) "
    f"- (SELECT count(*) FROM {_LISTING} p WHERE p.counted AND p.live_until IS NOT NULL AND p.live_until <= %s "
    "AND {filters}))"
)
_FILTERED_SQL = (
    "SELECT {count}, l.summary, "
    f"(SELECT min(n.live_from) FROM {_LISTING} n WHERE n.live_from > %s), "
    f"(SELECT min(n.live_until) FROM {_LISTING} n WHERE n.live_until > %s) "
    f"FROM (SELECT 1) one LEFT JOIN (SELECT p.id, p.created_at FROM {_LISTING} p WHERE {{narrowed}} "
    "ORDER BY p.created_at DESC, p.id LIMIT {limit:d} OFFSET {offset:d}) page ON true "
    f"LEFT JOIN {_LISTING} l ON l.id = page.id ORDER BY page.created_at DESC, page.id"
)


def learner_narrowed_page(
    *, topics=(), levels=(), languages=(), max_duration=None, offset: int, limit: int, now=None
) -> tuple[int, list[str], dt.datetime | None]:
    """(how many live courses match, the stored summaries of the page asked for, when any course's view
    next changes by itself). PostgreSQL only: one prepared statement for every combination (arrays,
    not lists of placeholders), each one plan: the index that leads with what is asked."""
    now = now or timezone.now()
    # Only what is asked is in the statement (at most 16 shapes, each prepared once per connection):
    # a generic plan of "(nothing asked OR ...)" could not pick the index that fits.
    conditions, params = [], []
    kept, kept_params = ["f.courses <> 0"], []
    for column, values in (("topic", topics), ("level", levels), ("language", languages)):
        if values:
            conditions.append(f"p.{column} = ANY(%s::text[])")
            params.append(list(values))
            kept.append(f"f.{column} = ANY(%s::text[])")
            kept_params.append(list(values))
    if max_duration is not None:
        conditions.append("p.duration_minutes <= %s")
        params.append(int(max_duration))
    narrowed = " AND ".join([_LIVE, *conditions])
    spans = ranges_within(max_duration)
    if spans is None:
        count, count_params = _SCANNED_COUNT.format(narrowed=narrowed), [now, now, *params]
    else:
        if max_duration is not None:
            kept.append("f.span = ANY(%s::int[])")
            kept_params.append(list(spans))
        filters = " AND ".join(conditions) or "true"
        count = _KEPT_COUNT.format(kept=" AND ".join(kept), filters=filters)
        count_params = [*kept_params, now, now, *params, now, *params]
    sql = _FILTERED_SQL.format(count=count, narrowed=narrowed, limit=int(limit), offset=int(offset))
    connection = connections[router.db_for_read(Listing)]
    with connection.cursor() as cursor:  # prepared by psycopg on its fifth run (server_side_binding)
        cursor.execute(sql, [*count_params, now, now, now, now, *params])
        rows = cursor.fetchall()
    count = rows[0][0]
    summaries = [row[1] for row in rows if row[1] is not None]
    return count, summaries, earliest(rows[0][2], rows[0][3])
