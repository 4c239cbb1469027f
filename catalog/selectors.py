"""Every read of the catalog; course_visible_to is the one visibility rule."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from .models import Course, Module, Unit, normalize_topic
from .permissions import is_editor

SUMMARY_FIELDS = (
    "id",
    "slug",
    "title",
    "description",
    "topic",
    "status",
    "published_at",
    "created_at",
    "updated_at",
    "unit_count",
    "module_count",
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
    return _with_tree(course_visible_to(user=user))


def course_written(*, pk) -> Course:
    """The course a write just made or changed, with its tree, whatever its status: the writer's answer
    (a creator with add_course but not change_course still sees the draft they created)."""
    return _with_tree(Course.objects.all()).get(pk=pk)


def _with_tree(qs: QuerySet[Course]) -> QuerySet[Course]:
    modules = Module.objects.only("id", "unit_id", "title", "order").order_by("order")
    units = Unit.objects.only("id", "course_id", "title", "order").order_by("order")
    return qs.only(*SUMMARY_FIELDS).prefetch_related(
        Prefetch("units", units.prefetch_related(Prefetch("modules", modules)))
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


# Courses per query: each chunk costs three queries (courses, units, modules) and holds at most
# this many trees in memory.
EXPORT_CHUNK = 500
EXPORT_FIELDS = ("id", "slug", "title", "description", "topic", "status")


def course_records(*, statuses=(), topics=(), chunk: int | None = None):
    """Every matching course as an import record with its tree, by slug, a chunk at a time (constant memory).

    Each chunk costs three queries (courses, their units, their modules) read as plain values: a
    model instance per module would make a large export several times slower.
    """
    chunk = chunk or EXPORT_CHUNK
    courses = Course.objects.order_by("slug")
    if statuses:
        courses = courses.filter(status__in=statuses)
    if topics:
        courses = courses.filter(topic__in=[normalize_topic(t) for t in topics])
    last = None
    while True:
        # Keyset pagination on the unique slug: stable and cheap however deep the export gets.
        after = courses.filter(slug__gt=last) if last is not None else courses
        page = list(after.values_list(*EXPORT_FIELDS)[:chunk])
        if not page:
            return
        ids = [row[0] for row in page]
        units_of, modules_of = defaultdict(list), {}
        units = Unit.objects.filter(course_id__in=ids).order_by("course_id", "order")
        for unit_id, course_id, title in units.values_list("id", "course_id", "title"):
            modules_of[unit_id] = []
            units_of[course_id].append({"title": title, "modules": modules_of[unit_id]})
        modules = Module.objects.filter(unit__course_id__in=ids).order_by("unit_id", "order")
        for unit_id, title, content in modules.values_list("unit_id", "title", "content"):
            modules_of[unit_id].append({"title": title, "content": content})
        for pk, slug, title, description, topic, status in page:
            yield {
                "slug": slug,
                "title": title,
                "description": description,
                "topic": topic,
                "status": status,
                "units": units_of[pk],
            }
        if len(page) < chunk:
            return
        last = page[-1][1]


@dataclass
class HistoryEvent:
    at: datetime
    who: str
    what: str
    kind: str  # "edit" or "workflow"


def course_history(*, course: Course, limit: int | None = None) -> list[HistoryEvent]:
    """The admin's edit log and the workflow's transition log of one course, newest first.

    Transitions come from course.transitions, so moves made through the API or the import show too.
    """
    entries = (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Course), object_id=str(course.pk))
        .select_related("user")
        .order_by("-action_time", "-id")
    )
    transitions = course.transitions.select_related("by").order_by("-at", "-id")
    if limit is not None:
        entries, transitions = entries[:limit], transitions[:limit]
    flags = {ADDITION: "Created the course.", DELETION: "Deleted."}
    events = [
        HistoryEvent(
            e.action_time, _username(e.user), e.get_change_message() or flags.get(e.action_flag, "Saved."), "edit"
        )
        for e in entries
    ]
    events += [
        HistoryEvent(t.at, _username(t.by), f"Status: {t.from_status} → {t.to_status}", "workflow") for t in transitions
    ]
    events.sort(key=lambda event: event.at, reverse=True)
    return events[:limit] if limit is not None else events


def _username(user) -> str:
    # No user: the import command, a shell script, or a user deleted since.
    return user.get_username() if user is not None else "(no user recorded)"
