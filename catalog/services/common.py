"""What every writer shares: the course lock with its precondition, field cleaning, contiguous order."""

from collections.abc import Callable

from django.db import connection
from django.db.models import F

from catalog import selectors
from catalog.domain import documents
from catalog.domain.records import flatten_errors
from catalog.errors import CatalogConflictError, CatalogNotFoundError, CatalogValidationError
from catalog.models import Course
from catalog.services.search import search_refresh

# Checked under the course's row lock before a service changes anything: raises a CatalogError
# (e.g. CatalogConflictError, PreconditionFailedError) to refuse the write. Receives the locked
# course, or None where a write may create it (the upsert).
Precondition = Callable[[Course | None], None]

# Orders are parked above this while a reorder is applied on databases that check uniqueness row by
# row (SQLite); PostgreSQL defers the unique constraints to commit and needs no parking.
PARK_OFFSET = 1_000_000


def all_of(*preconditions: Precondition | None) -> Precondition:
    """Several checks under the one lock, in order (None entries are skipped)."""

    def check(course):
        for precondition in preconditions:
            if precondition is not None:
                precondition(course)

    return check


def unchanged_since(updated_at) -> Precondition:
    """The editor's guard: refuse when the course changed after the editor opened it."""

    def check(course):
        if course is None:
            raise CatalogNotFoundError("This course was deleted by someone else meanwhile.")
        if course.updated_at != updated_at:
            raise CatalogConflictError(
                "Someone else changed this course since you opened it "
                f"(last change {course.updated_at:%Y-%m-%d %H:%M:%S} UTC). Your changes were not saved: "
                "reload the page to see theirs, then apply yours again."
            )

    return check


def lock_course(pk, *, precondition: Precondition | None = None) -> Course:
    try:
        course = Course.objects.select_for_update().get(pk=pk)
    except Course.DoesNotExist:
        raise CatalogNotFoundError("The course no longer exists.") from None
    if precondition is not None:
        precondition(course)
    return course


def clean_fields(serializer_class, data: dict, *, only) -> dict:
    serializer = serializer_class(data=data, partial=True)
    if not serializer.is_valid():
        raise CatalogValidationError(flatten_errors(serializer.errors))
    return {k: v for k, v in serializer.validated_data.items() if k in only}


def user_or_none(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def reload(model, pk):
    try:
        return model.objects.get(pk=pk)
    except model.DoesNotExist:
        raise CatalogNotFoundError(f"The {model._meta.verbose_name} no longer exists.") from None


def position_in(position, length: int) -> int:
    """1-based position in a list that will hold `length` items; None means the end."""
    if position is None:
        return length
    if isinstance(position, bool) or not isinstance(position, int) or not 1 <= position <= length:
        raise CatalogValidationError({"position": [f"Must be a whole number from 1 to {length}."]})
    return position


def park(model, pks) -> None:
    """Move rows out of the way of a renumbering where uniqueness is checked row by row (SQLite)."""
    if pks and not connection.features.supports_deferrable_unique_constraints:
        model.objects.filter(pk__in=list(pks)).update(order=F("order") + PARK_OFFSET)


def set_orders(model, rows, now) -> None:
    """Give each row the order of its place in `rows` (1..n), writing only those that move.

    A None in `rows` holds a place open for a row about to be inserted there.
    """
    moved = [(row, n) for n, row in enumerate(rows, start=1) if row is not None and row.order != n]
    if not moved:
        return
    park(model, [row.pk for row, _ in moved])
    for row, n in moved:
        row.order = n
        row.updated_at = now
    model.objects.bulk_update([row for row, _ in moved], ["order", "updated_at"])


def touch(course: Course, now) -> None:
    """After a change of the working copy: bump updated_at, recount, refresh the search document and
    the fingerprint. Learners see none of it (they read releases), so nothing is invalidated."""
    document = selectors.working_document(course=course)
    unit_count, module_count = documents.counts(document)
    duration = documents.duration(document)
    fingerprint = documents.fingerprint(document)
    Course.objects.filter(pk=course.pk).update(
        updated_at=now,
        unit_count=unit_count,
        module_count=module_count,
        duration_minutes=duration,
        fingerprint=fingerprint,
    )
    course.updated_at, course.unit_count, course.module_count = now, unit_count, module_count
    course.duration_minutes = duration
    course.fingerprint = fingerprint
    search_refresh(course_ids=[course.pk])
