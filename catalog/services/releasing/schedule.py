"""Scheduled switches: a release frozen now goes live at `publish_at`; the live one leaves at `unpublish_at`.

Learners see a switch on time whatever runs: their reads pick the listing whose window holds *now*,
and no cached answer outlives the next switch (the cache caps its TTL). What needs a write (the
status, the history, events) is recorded by settle_course: `catalog_tick` runs it every minute for
every course that is due, and every service that locks a course runs it first for that course.
"""

from django.db import transaction
from django.utils import timezone

from catalog import cache
from catalog.errors import CatalogValidationError, InvalidTransitionError
from catalog.models import Course, SlugRedirect
from catalog.services.changes.feed import feed_published, feed_removed
from catalog.services.common import Precondition, lock_course
from catalog.services.releasing import counts
from catalog.services.releasing.releases import (
    address_moved,
    cancel_publish,
    live_listing,
    make_listing,
    new_release,
    pending_listing,
    publishable_document,
    record,
)

Status = Course.Status
UNSET = object()


def lock_settled(pk, *, precondition: Precondition | None = None, now=None) -> Course:
    """Lock the course, record its scheduled switches that are due, then check the precondition."""
    course = lock_course(pk)
    settle_course(course, now=now or timezone.now())
    if precondition is not None:
        precondition(course)
    return course


def settle_course(course: Course, *, now) -> bool:
    """Record the course's switches that are due, oldest first; True when there were any."""
    due = sorted(
        (at, kind)
        for kind, at in (("publish", course.publish_at), ("unpublish", course.unpublish_at))
        if at and at <= now
    )
    with counts.summed():  # one change of the counts per course, as readers correct them meanwhile
        for at, kind in due:
            if kind == "publish":
                _went_live(course, at)
            else:
                _went_away(course, at, now)
    if due:
        # Learners' pages already switched by the clock (their TTL ends at the switch); what is
        # recorded now (the feed's entry, the status, the topic counts) must not wait for a TTL either.
        cache.course_changed(slugs=[course.slug])
    return bool(due)


def _went_live(course: Course, at) -> None:
    listing = course.listings.filter(live_from=at).select_related("release").first()
    course.publish_at = None
    if listing is None:
        course.save(update_fields=["publish_at"])
        return
    ended = list(course.listings.filter(live_until__lte=at).exclude(pk=listing.pk).select_related("release"))
    counts.removed(ended)
    course.listings.filter(pk__in=[e.pk for e in ended]).delete()
    for old in ended:
        if old.slug != listing.slug and old.live_until == at:
            address_moved(course, old_slug=old.slug, new_slug=listing.slug, number=old.release.number, at=at)
    counts.counted([listing])
    feed_published(listing)
    before = course.status
    course.status, course.published_at = Status.PUBLISHED, at
    course.save(update_fields=["publish_at", "status", "published_at"])
    release = listing.release
    record(course, "publish", before=before, release=release.number, by=release.created_by, at=at, scheduled=True)


def _went_away(course: Course, at, now) -> None:
    ended = course.listings.filter(live_until=at).select_related("release").first()
    course.unpublish_at = None
    fields = ["unpublish_at"]
    if ended is not None:
        number = ended.release.number
        counts.removed([ended])
        ended.delete()
        if live_listing(course, at) is None:  # at the time of the switch (a late tick may record it)
            feed_removed(course_id=course.pk, slug=ended.slug, release=number, at=at)
        if live_listing(course, at) is None and course.status == Status.PUBLISHED:
            course.status = Status.DRAFT
            fields.append("status")
            course.save(update_fields=fields)
            record(course, "unpublish", before=Status.PUBLISHED, release=number, at=at, scheduled=True)
            return
    course.save(update_fields=fields)


def schedule_apply_due(*, now=None) -> int:
    """Record every due switch (catalog_tick); returns how many courses had some."""
    now = now or timezone.now()
    due = Course.objects.filter(publish_at__lte=now) | Course.objects.filter(unpublish_at__lte=now)
    settled = 0
    for pk in due.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            settled += settle_course(lock_course(pk), now=now)
    return settled


@transaction.atomic
def course_schedule(
    *, course: Course, publish_at=UNSET, unpublish_at=UNSET, by=None, precondition: Precondition | None = None
) -> Course:
    """Set (a time), cancel (None) or keep (UNSET) each switch. `publish_at` freezes the working copy now."""
    now = timezone.now()
    errors = {}
    for name, value in (("publish_at", publish_at), ("unpublish_at", unpublish_at)):
        if value in (UNSET, None):
            continue
        if timezone.is_naive(value):
            errors[name] = ["Give the time with its offset or Z (e.g. 2026-12-01T09:00:00+01:00), not a local time."]
        elif value <= now:
            errors[name] = ["Must be in the future."]
    if errors:
        raise CatalogValidationError(errors)
    course = lock_settled(course.pk, precondition=precondition)
    now = timezone.now()  # after the lock, like every write
    if publish_at is not UNSET:
        cancel_publish(course, now=now)
        if publish_at is not None:
            _freeze(course, publish_at, by=by, now=now)
    if unpublish_at is not UNSET:
        course.unpublish_at = unpublish_at
    _check_withdrawal(course, now)
    _set_windows(course, now)
    course.save(update_fields=["publish_at", "unpublish_at"])
    cache.course_changed(slugs=[course.slug])
    return course


def course_schedule_cancel(*, course: Course, by=None, precondition: Precondition | None = None) -> Course:
    return course_schedule(course=course, publish_at=None, unpublish_at=None, by=by, precondition=precondition)


def _freeze(course: Course, publish_at, *, by, now) -> None:
    if course.status == Status.ARCHIVED:
        raise InvalidTransitionError(f"cannot schedule '{course.slug}' to go live: it is archived; restore it first")
    release = new_release(course, publishable_document(course), by=by, at=now)
    course.publish_at = publish_at
    make_listing(course, release, live_from=publish_at)
    live = live_listing(course, now)
    if live is not None and live.slug != release.slug:
        # Learners keep the live address until publish_at (its listing answers first), then the old one
        # must redirect at that second, before anything records the switch.
        SlugRedirect.objects.filter(slug=release.slug).delete()
        SlugRedirect.objects.update_or_create(slug=live.slug, defaults={"course": course})


def _check_withdrawal(course: Course, now) -> None:
    if course.unpublish_at is None:
        return
    if course.publish_at is None and live_listing(course, now) is None:
        raise InvalidTransitionError(
            f"cannot schedule '{course.slug}' to be withdrawn: nothing of it is live or scheduled to go live"
        )
    if course.publish_at and course.unpublish_at <= course.publish_at and live_listing(course, now) is None:
        raise CatalogValidationError({"unpublish_at": ["Must be after publish_at: nothing is live before then."]})


def _set_windows(course: Course, now) -> None:
    """Each listing's window from the schedule: the live one ends at the first switch; the pending
    one starts at publish_at and ends at unpublish_at when that comes later."""
    live, pending = live_listing(course, now), pending_listing(course, now)
    switches = [t for t in (course.publish_at, course.unpublish_at) if t]
    if live is not None:
        live.live_until = min(switches) if switches else None
        live.save(update_fields=["live_until"])
    if pending is not None:
        later = course.unpublish_at and course.unpublish_at > pending.live_from
        pending.live_until = course.unpublish_at if later else None
        pending.save(update_fields=["live_until"])
