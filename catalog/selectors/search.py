"""Full-text search, the same for the working copies (editors) and the listings (learners)."""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q, QuerySet

MAX_WORDS = 20


def clean_query(text: str) -> str:
    return "".join(ch for ch in text if ch >= " " or ch in "\t\n").strip()


def websearch(text: str) -> SearchQuery:
    """Any input is a valid query: quoted phrases, -word, or."""
    return SearchQuery(text, search_type="websearch", config="english")


def search(qs: QuerySet, text: str, *, contains=(), extra=None) -> QuerySet:
    """Rows matching `text`, best match first.

    PostgreSQL uses the stored, GIN-indexed search document with websearch_to_tsquery (any input
    is a valid query); SQLite, for `make run`, falls back to every word matching one of the
    `contains` fields (or the `extra(word)` condition).
    """
    text = clean_query(text)
    if not text:
        return qs
    if connection.vendor == "postgresql":
        query = websearch(text)
        return (
            qs.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-created_at", "id")
        )
    for word in text.split()[:MAX_WORDS]:
        condition = Q()
        for name in contains:
            condition |= Q(**{f"{name}__icontains": word})
        if extra is not None:
            condition |= extra(word)
        qs = qs.filter(condition)
    return qs
