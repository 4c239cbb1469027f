"""Every read of the catalog; course_visible_to is the one visibility rule."""
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from .models import Course, Module, Unit
from .permissions import is_editor

SUMMARY_FIELDS = (
    "id", "slug", "title", "description", "topic", "status", "published_at", "created_at", "updated_at",
    "unit_count", "module_count",
)


def course_visible_to(*, user) -> QuerySet[Course]:
    """Editors see every course; everyone else sees published courses only."""
    qs = Course.objects.all()
    if not is_editor(user):
        qs = qs.filter(status=Course.Status.PUBLISHED)
    return qs


def course_list(*, user) -> QuerySet[Course]:
    """Summaries, newest first; never loads the search document or the tree."""
    return course_visible_to(user=user).only(*SUMMARY_FIELDS).order_by("-created_at", "id")


def course_with_tree(*, user) -> QuerySet[Course]:
    """Courses with their units and modules prefetched in order (3 queries whatever the size)."""
    modules = Module.objects.only("id", "unit_id", "title", "order").order_by("order")
    units = Unit.objects.only("id", "course_id", "title", "order").order_by("order")
    return (
        course_visible_to(user=user)
        .only(*SUMMARY_FIELDS)
        .prefetch_related(Prefetch("units", units.prefetch_related(Prefetch("modules", modules))))
    )


def topic_counts() -> QuerySet:
    """Published courses per topic, sorted by topic (the same for every user)."""
    published = Course.objects.filter(status=Course.Status.PUBLISHED)
    return published.order_by().values("topic").annotate(course_count=Count("id")).order_by("topic")


def course_search(qs: QuerySet[Course], text: str) -> QuerySet[Course]:
    """Full-text search over title, description, topic and the tree's titles, best match first.

    PostgreSQL uses the stored, GIN-indexed search document with websearch_to_tsquery (any input
    is a valid query); SQLite, for `make run`, falls back to every word matching somewhere.
    """
    text = "".join(ch for ch in text if ch >= " " or ch in "\t\n").strip()
    if not text:
        return qs
    if connection.vendor == "postgresql":
        query = SearchQuery(text, search_type="websearch", config="english")
        return (
            qs.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-created_at", "id")
        )
    for word in text.split()[:20]:
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(topic__icontains=word)
            | Exists(Unit.objects.filter(course=OuterRef("pk"), title__icontains=word))
            | Exists(Module.objects.filter(unit__course=OuterRef("pk"), title__icontains=word))
        )
    return qs
