"""A course's own fields (the working copy), its address, and its deletion."""

from django.db import transaction
from django.utils import timezone

from catalog import cache
from catalog.domain import workflow
from catalog.domain.records import CourseRecordSerializer, clean_record
from catalog.errors import CatalogValidationError, InvalidTransitionError
from catalog.models import Course
from catalog.services.changes.feed import feed_removed
from catalog.services.common import Precondition, clean_fields, touch
from catalog.services.importing.upsert import upsert_one
from catalog.services.releasing import counts
from catalog.services.releasing.publishing import MOVES
from catalog.services.releasing.releases import address_held_error, addresses_held, live_listing
from catalog.services.releasing.schedule import lock_settled
from catalog.services.topics import topic_names_remember

COURSE_FIELDS = ("slug", "title", "description", "topic", "level", "language")


def slug_taken_error(slug: str) -> CatalogValidationError:
    return CatalogValidationError({"slug": [f"A course with the slug '{slug}' already exists."]})


@transaction.atomic
def course_create(*, slug: str, title: str, topic: str, description: str = "", units=(), by=None, **metadata) -> Course:
    """Create a draft course, optionally with its whole tree (the record format's `units`) and its
    `level` and `language` (left out: none, and the default language)."""
    record = clean_record(
        {"slug": slug, "title": title, "topic": topic, "description": description, "units": list(units), **metadata}
    )
    if Course.objects.filter(slug=record["slug"]).exists():
        raise slug_taken_error(record["slug"])
    return upsert_one(record, by=by).course


@transaction.atomic
def course_update(*, course: Course, by=None, precondition: Precondition | None = None, **changes) -> Course:
    """Change some of slug, title, description, topic, level, language in the working copy; `status` moves through the
    workflow afterwards ("published" publishes the result: a new release when it differs)."""
    unknown = set(changes) - set(COURSE_FIELDS) - {"status"}
    if unknown:
        raise CatalogValidationError({key: ["This field cannot be changed here."] for key in sorted(unknown)})
    target_status = changes.pop("status", None)
    values = clean_fields(CourseRecordSerializer, changes, only=COURSE_FIELDS)
    course = lock_settled(course.pk, precondition=precondition)
    if "topic" in values:
        topic_names_remember(names=[values["topic"]])
    changed = [name for name, value in values.items() if getattr(course, name) != value]
    if "slug" in changed:
        _check_address(course, values["slug"])
    if changed:
        for name in changed:
            setattr(course, name, values[name])
        course.save(update_fields=changed)
        touch(course, timezone.now())
    if target_status is not None and (target_status != course.status or target_status == Course.Status.PUBLISHED):
        action, refusal = workflow.action_for(course.slug, course.status, target_status)
        if refusal:
            raise InvalidTransitionError(refusal)
        course = MOVES[action](course=course, by=by)
    return course


def _check_address(course: Course, slug: str) -> None:
    """The working copy may take `slug` when no other course has it, in its working copy or as the
    address learners find it at. Learners' address changes when the course is published (the slug is
    part of the release: see releasing.releases.address_moved), not here."""
    if Course.objects.filter(slug=slug).exclude(pk=course.pk).exists():
        raise slug_taken_error(slug)
    held = addresses_held([slug], course_id=course.pk)
    if held:
        raise address_held_error(slug, held[slug])


@transaction.atomic
def course_delete(*, course: Course, precondition: Precondition | None = None) -> None:
    course = lock_settled(course.pk, precondition=precondition)
    slug = course.slug
    live = live_listing(course, timezone.now())
    if live is not None:
        feed_removed(course_id=course.pk, slug=slug, release=live.release.number)
    counts.removed(course.listings.all())
    course.delete()
    cache.course_changed(slugs=[slug])
