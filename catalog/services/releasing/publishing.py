"""The workflow's moves (publish, unpublish, archive, restore) and discard and revert, as releases.

Publishing stores the working copy as release n+1 and gives it a listing from now; unpublishing and
archiving end the live listing (the release stays in the history); discard and revert copy a
release back into the working copy, which learners never see until it is published.
"""

from django.db import transaction
from django.utils import timezone

from catalog.domain import documents, workflow
from catalog.errors import CatalogNotFoundError, InvalidTransitionError
from catalog.models import Course, Release
from catalog.services.common import Precondition
from catalog.services.releasing.releases import (
    addresses_held,
    cancel_publish,
    go_live,
    live_listing,
    new_release,
    publishable_document,
    record,
    refuse_unless_allowed,
    withdraw,
    write_working_copy,
)
from catalog.services.releasing.schedule import lock_settled

Status = Course.Status


@transaction.atomic
def course_publish(*, course: Course, by=None, precondition: Precondition | None = None) -> Course:
    """Make the working copy live as release n+1; nothing new when it equals the live release."""
    course = lock_settled(course.pk, precondition=precondition)
    now = timezone.now()  # after the lock, so a writer that waited never acts before the one it waited for
    refuse_unless_allowed(course, "publish")
    document = publishable_document(course)
    cancel_publish(course, now=now)  # publishing now replaces a scheduled publish
    live = live_listing(course, now)
    if live is not None and live.release.fingerprint == documents.fingerprint(document) and live.slug == course.slug:
        return course
    release = new_release(course, document, by=by, at=now)
    go_live(course, release, at=now, by=by, replacing=live_listing(course, now))
    return course


@transaction.atomic
def course_unpublish(*, course: Course, by=None, precondition: Precondition | None = None) -> Course:
    course = lock_settled(course.pk, precondition=precondition)
    now = timezone.now()  # after the lock, so a writer that waited never acts before the one it waited for
    refuse_unless_allowed(course, "unpublish")
    withdraw(course, now=now, by=by)
    return course


@transaction.atomic
def course_archive(*, course: Course, by=None, precondition: Precondition | None = None) -> Course:
    course = lock_settled(course.pk, precondition=precondition)
    now = timezone.now()  # after the lock, so a writer that waited never acts before the one it waited for
    refuse_unless_allowed(course, "archive")
    cancel_publish(course, now=now)  # an archived course goes live at no time
    withdraw(course, now=now, by=by, status=Status.ARCHIVED)
    return course


@transaction.atomic
def course_restore(*, course: Course, by=None, precondition: Precondition | None = None) -> Course:
    course = lock_settled(course.pk, precondition=precondition)
    now = timezone.now()  # after the lock, so a writer that waited never acts before the one it waited for
    refuse_unless_allowed(course, "restore")
    course.status, course.updated_at = Status.DRAFT, now
    course.save(update_fields=["status", "updated_at"])
    record(course, "restore", before=Status.ARCHIVED, by=by, at=now)
    return course


MOVES = {
    "publish": course_publish,
    "unpublish": course_unpublish,
    "archive": course_archive,
    "restore": course_restore,
}


def course_transition(*, course: Course, action: str, by=None, precondition: Precondition | None = None) -> Course:
    refusal = workflow.unknown_action_refusal(action)
    if refusal:
        raise InvalidTransitionError(refusal)
    return MOVES[action](course=course, by=by, precondition=precondition)


# --- the working copy from a release --------------------------------------------------------------


@transaction.atomic
def course_discard(*, course: Course, by=None, precondition: Precondition | None = None) -> Course:
    """The working copy becomes the live release again."""
    course = lock_settled(course.pk, precondition=precondition)
    now = timezone.now()  # after the lock, so a writer that waited never acts before the one it waited for
    live = live_listing(course, now)
    if live is None:
        raise InvalidTransitionError(f"cannot discard changes of '{course.slug}': it has no live release")
    return _copy_into_working(course, live.release, "discard", by=by, now=now)


@transaction.atomic
def course_revert(*, course: Course, number: int, by=None, precondition: Precondition | None = None) -> Course:
    """The working copy becomes release `number` (publish it to make it live)."""
    course = lock_settled(course.pk, precondition=precondition)
    now = timezone.now()  # after the lock, so a writer that waited never acts before the one it waited for
    release = course.releases.filter(number=number).first()
    if release is None:
        raise CatalogNotFoundError(f"'{course.slug}' has no release {number}.")
    return _copy_into_working(course, release, "revert", by=by, now=now)


def _copy_into_working(course: Course, release: Release, action: str, *, by, now) -> Course:
    slug = _address_of(course, release)
    if course.fingerprint == release.fingerprint and slug == course.slug:
        return course  # already equal: nothing to copy, nothing to record
    if slug != course.slug:
        course.slug = slug
        course.save(update_fields=["slug"])
    write_working_copy(course, release.document, now=now)
    record(course, action, before=course.status, release=release.number, by=by, at=now)
    return course


def _address_of(course: Course, release: Release) -> str:
    """The release's slug (the slug is part of a release), unless another course holds it now: then the
    working copy keeps its own, and the editor renames by hand."""
    slug = release.slug or course.slug
    if slug == course.slug or Course.objects.filter(slug=slug).exclude(pk=course.pk).exists():
        return course.slug
    return course.slug if addresses_held([slug], course_id=course.pk) else slug
