"""Learners' facets: the topic, level, language and duration-range combinations of the live courses
a page narrows (all, or a search's), with their counts, in one grouped read; catalog.domain.facets
sums them into every facet's counts and the page's total, so a page costs one scan whatever it shows."""

import datetime as dt

from django.db import connections, router
from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.utils import timezone

from catalog.domain.facets import DURATION_RANGES, LONGER, UNKNOWN_RANGE, Combination
from catalog.models import Listing
from catalog.selectors.learners import earliest


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


# The learners' narrowed list (topic, level, language, max_duration; newest first) in one statement:
# its count and a page's stored summaries, both from the filtered lists' indexes (migration 0014).
_LISTING = f'"{Listing._meta.db_table}"'
_LIVE = "p.live_from <= %s AND (p.live_until IS NULL OR p.live_until > %s)"
_FILTERED_SQL = (
    f"SELECT (SELECT count(*) FROM {_LISTING} p WHERE {{narrowed}}), l.summary, "
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
    conditions, params = [_LIVE], [now, now]
    for column, values in (("topic", topics), ("level", levels), ("language", languages)):
        if values:
            conditions.append(f"p.{column} = ANY(%s::text[])")
            params.append(list(values))
    if max_duration is not None:
        conditions.append("p.duration_minutes <= %s")
        params.append(int(max_duration))
    narrowed = " AND ".join(conditions)
    sql = _FILTERED_SQL.format(narrowed=narrowed, limit=int(limit), offset=int(offset))
    connection = connections[router.db_for_read(Listing)]
    with connection.cursor() as cursor:  # prepared by psycopg on its fifth run (server_side_binding)
        cursor.execute(sql, [*params, now, now, *params])
        rows = cursor.fetchall()
    count = rows[0][0]
    summaries = [row[1] for row in rows if row[1] is not None]
    return count, summaries, earliest(rows[0][2], rows[0][3])
