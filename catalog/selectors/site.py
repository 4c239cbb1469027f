"""Reads of the learner site's own pages: a module with its course's outline, and the sitemap's URLs."""

import datetime as dt

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
