"""Learners' facets: the topic, level, language and duration-range combinations of the live courses
a page narrows (all, or a search's), with their counts, in one grouped read; catalog.domain.facets
sums them into every facet's counts and the page's total, so a page costs one scan whatever it shows."""

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When

from catalog.domain.facets import DURATION_RANGES, LONGER, UNKNOWN_RANGE, Combination


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
