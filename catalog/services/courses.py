"""A course's own fields, its deletion, and its moves through the status workflow."""

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from .. import cache
from ..errors import CatalogValidationError, InvalidTransitionError
from ..models import Course, CourseTransition, Unit
from ..records import CourseRecordSerializer, clean_record
from . import workflow
from .common import Precondition, clean_fields, lock_course, user_or_none
from .search import search_refresh
from .upsert import upsert_one

COURSE_FIELDS = ("slug", "title", "description", "topic")


def slug_taken_error(slug: str) -> CatalogValidationError:
    return CatalogValidationError({"slug": [f"A course with the slug '{slug}' already exists."]})


@transaction.atomic
def course_create(*, slug: str, title: str, topic: str, description: str = "", units=(), by=None) -> Course:
    """Create a draft course, optionally with its whole tree (the record format's `units`)."""
    record = clean_record(
        {"slug": slug, "title": title, "topic": topic, "description": description, "units": list(units)}
    )
    if Course.objects.filter(slug=record["slug"]).exists():
        raise slug_taken_error(record["slug"])
    return upsert_one(record, by=by).course


@transaction.atomic
def course_update(*, course: Course, by=None, precondition: Precondition | None = None, **changes) -> Course:
    """Change some of slug, title, description, topic; `status` moves through the workflow."""
    unknown = set(changes) - set(COURSE_FIELDS) - {"status"}
    if unknown:
        raise CatalogValidationError({key: ["This field cannot be changed here."] for key in sorted(unknown)})
    target_status = changes.pop("status", None)
    values = clean_fields(CourseRecordSerializer, changes, only=COURSE_FIELDS)
    course = lock_course(course.pk, precondition=precondition)
    old_slug = course.slug
    changed = [name for name, value in values.items() if getattr(course, name) != value]
    if "slug" in changed and Course.objects.filter(slug=values["slug"]).exclude(pk=course.pk).exists():
        raise slug_taken_error(values["slug"])
    if target_status is not None and target_status != course.status:
        action, refusal = workflow.action_for(course.slug, course.status, target_status)
        if refusal:
            raise InvalidTransitionError(refusal)
        course = course_transition(course=course, action=action, by=by)
    if not changed:
        return course
    for name in changed:
        setattr(course, name, values[name])
    course.updated_at = timezone.now()
    course.save(update_fields=[*changed, "updated_at"])
    if {"title", "description", "topic"} & set(changed):
        search_refresh(course_ids=[course.pk])
    cache.course_changed(slugs=[old_slug, course.slug])
    return course


@transaction.atomic
def course_delete(*, course: Course, precondition: Precondition | None = None) -> None:
    course = lock_course(course.pk, precondition=precondition)
    slug = course.slug
    course.delete()
    cache.course_changed(slugs=[slug])


@transaction.atomic
def course_transition(*, course: Course, action: str, by=None, precondition: Precondition | None = None) -> Course:
    refusal = workflow.unknown_action_refusal(action)
    if refusal:
        raise InvalidTransitionError(refusal)
    course = lock_course(course.pk, precondition=precondition)
    refusal = workflow.transition_refusal(course.slug, course.status, action)
    if refusal is None and action == "publish":
        refusal = workflow.publish_refusal(course.slug, unit_module_counts(course))
    if refusal:
        raise InvalidTransitionError(refusal)
    to = workflow.target_of(action)
    now = timezone.now()
    from_status = course.status
    course.status = to
    fields = ["status", "updated_at"]
    if to == Course.Status.PUBLISHED:
        course.published_at = now
        fields.append("published_at")
    course.updated_at = now
    course.save(update_fields=fields)
    CourseTransition.objects.create(course=course, from_status=from_status, to_status=to, by=user_or_none(by), at=now)
    cache.course_changed(slugs=[course.slug])
    return course


def unit_module_counts(course: Course) -> list[tuple[str, int]]:
    units = Unit.objects.filter(course=course).annotate(n=Count("modules")).order_by("order")
    return list(units.values_list("title", "n"))


def course_publish(*, course: Course, by=None, precondition: Precondition | None = None) -> Course:
    return course_transition(course=course, action="publish", by=by, precondition=precondition)


def course_unpublish(*, course: Course, by=None, precondition: Precondition | None = None) -> Course:
    return course_transition(course=course, action="unpublish", by=by, precondition=precondition)


def course_archive(*, course: Course, by=None, precondition: Precondition | None = None) -> Course:
    return course_transition(course=course, action="archive", by=by, precondition=precondition)


def course_restore(*, course: Course, by=None, precondition: Precondition | None = None) -> Course:
    return course_transition(course=course, action="restore", by=by, precondition=precondition)
