"""Editors' reads: the working copies, their release state, their history, and exports."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from catalog.models import Course, Listing, Module, Unit, normalize_topic
from catalog.permissions import is_editor
from catalog.selectors.learners import live_at
from catalog.selectors.search import search

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
    "level",
    "language",
    "duration_minutes",
)


def version_of(*, course: Course, release=None) -> dict:
    """A version to compare (documents.diff): a release's document, or the working copy's when
    `release` is None, with the address it gives learners (the slug is part of a release)."""
    if release is None:
        return {**working_document(course=course), "slug": course.slug}
    return {**release.document, "slug": release.slug or course.slug}


def working_document(*, course: Course) -> dict:
    """The working copy as a document (catalog.domain.documents): fields and the ordered tree with content."""
    units = list(Unit.objects.filter(course_id=course.pk).order_by("order").values("id", "title", "order"))
    modules_of = {u["id"]: [] for u in units}
    rows = Module.objects.filter(unit__course_id=course.pk).order_by("unit_id", "order")
    for row in rows.values("id", "unit_id", "title", "order", "content", "minutes"):
        modules_of[row.pop("unit_id")].append(row)
    return {
        "title": course.title,
        "description": course.description,
        "topic": course.topic,
        "level": course.level,
        "language": course.language,
        "units": [{**u, "modules": modules_of[u["id"]]} for u in units],
    }


def course_visible_to(*, user) -> QuerySet[Course]:
    """Editors see every working copy; everyone else only courses with a live release (and reads
    those from their listings, catalog.selectors.learners)."""
    qs = Course.objects.all()
    if not is_editor(user):
        qs = qs.filter(Exists(Listing.objects.filter(live_at(timezone.now()), course=OuterRef("pk"))))
    return qs


def with_release_state(qs: QuerySet[Course], *, now=None) -> QuerySet[Course]:
    """Annotate `live_release` (number, or None), `live_fingerprint` and `live_slug` (the address learners
    find it at) for has_unpublished_changes."""
    # At most one listing of a course is live at a time. Unordered, so that PostgreSQL looks it up by
    # course (the listings' default order would walk the newest-first index of every course instead).
    live = Listing.objects.filter(live_at(now or timezone.now()), course=OuterRef("pk")).order_by()
    return qs.annotate(
        live_release=Subquery(live.values("release__number")[:1]),
        live_fingerprint=Subquery(live.values("release__fingerprint")[:1]),
        live_slug=Subquery(live.values("slug")[:1]),
        live_since=Subquery(live.values("live_from")[:1]),
    )


def status_now(course) -> str:
    """The status learners' reads imply now (of a course from with_release_state, whose live release is
    read at the second of the query): published while a release is live, whether or not its scheduled
    switch is recorded yet; archived stays archived."""
    if course.status == Course.Status.ARCHIVED:
        return course.status
    return Course.Status.PUBLISHED if getattr(course, "live_release", None) is not None else Course.Status.DRAFT


def has_unpublished_changes(course) -> bool:
    """Whether the working copy differs from the live release (of a course from with_release_state):
    in content, or in its slug (the slug is part of the release)."""
    live = getattr(course, "live_fingerprint", None)
    if live is None:
        return False
    return live != course.fingerprint or getattr(course, "live_slug", course.slug) != course.slug


def course_list(*, user) -> QuerySet[Course]:
    """Summaries, newest first; never loads the search document or the tree."""
    qs = course_visible_to(user=user).only(*SUMMARY_FIELDS, "fingerprint").order_by("-created_at", "id")
    return with_release_state(qs)


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
    qs = qs.only(*SUMMARY_FIELDS, "fingerprint").prefetch_related(
        Prefetch("units", units.prefetch_related(Prefetch("modules", modules)))
    )
    return with_release_state(qs)


def course_search(qs: QuerySet[Course], text: str) -> QuerySet[Course]:
    """Full-text search over the working copies (fields and the tree's titles), best match first."""

    def in_tree(word):
        return Q(Exists(Unit.objects.filter(course=OuterRef("pk"), title__icontains=word))) | Q(
            Exists(Module.objects.filter(unit__course=OuterRef("pk"), title__icontains=word))
        )

    return search(qs, text, contains=("title", "description", "topic"), extra=in_tree)


# Courses per query: each chunk costs three queries (courses, units, modules) and holds at most
# this many trees in memory.
EXPORT_CHUNK = 500
EXPORT_FIELDS = ("id", "slug", "title", "description", "topic", "level", "language", "status")


def course_records(*, statuses=(), topics=(), chunk: int | None = None):
    """Every matching course as an import record with its tree, by slug, a chunk at a time (constant memory).

    Each chunk costs three queries (courses, their units, their modules) read as plain values: a
    model instance per module would make a large export several times slower. A published course
    whose working copy differs from its live release is written without `status`, so that importing
    the file changes its working copy only, as it is (its changes stay unpublished).
    """
    chunk = chunk or EXPORT_CHUNK
    courses = with_release_state(Course.objects.order_by("slug"))
    if statuses:
        courses = courses.filter(status__in=statuses)
    if topics:
        courses = courses.filter(topic__in=[normalize_topic(t) for t in topics])
    last = None
    while True:
        # Keyset pagination on the unique slug: stable and cheap however deep the export gets.
        after = courses.filter(slug__gt=last) if last is not None else courses
        page = list(after.values_list(*EXPORT_FIELDS, "fingerprint", "live_fingerprint")[:chunk])
        if not page:
            return
        ids = [row[0] for row in page]
        units_of, modules_of = defaultdict(list), {}
        units = Unit.objects.filter(course_id__in=ids).order_by("course_id", "order")
        for unit_id, course_id, title in units.values_list("id", "course_id", "title"):
            modules_of[unit_id] = []
            units_of[course_id].append({"title": title, "modules": modules_of[unit_id]})
        modules = Module.objects.filter(unit__course_id__in=ids).order_by("unit_id", "order")
        for unit_id, title, content, minutes in modules.values_list("unit_id", "title", "content", "minutes"):
            modules_of[unit_id].append({"title": title, "content": content, "minutes": minutes})
        for pk, slug, title, description, topic, level, language, status, fingerprint, live in page:
            record = {"slug": slug, "title": title, "description": description, "topic": topic}
            record.update(level=level, language=language, status=status)
            if live is not None and live != fingerprint:
                del record["status"]
            yield {**record, "units": units_of[pk]}
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


WORDS = {
    "publish": "Published release {n}",
    "unpublish": "Unpublished (release {n} withdrawn)",
    "archive": "Archived",
    "restore": "Restored to draft",
    "discard": "Discarded the unpublished changes (back to release {n})",
    "revert": "Reverted the working copy to release {n}",
}


def describe_transition(transition) -> str:
    words = WORDS.get(transition.action)
    if words is None:
        return f"Status: {transition.from_status} → {transition.to_status}"
    text = words.format(n=transition.release)
    if transition.action == "archive" and transition.release:
        text += f" (release {transition.release} withdrawn)"
    return text + (", as scheduled" if transition.scheduled else "")


def _username(user) -> str:
    # No user: the import command, a shell script, or a user deleted since.
    return user.get_username() if user is not None else "(no user recorded)"
