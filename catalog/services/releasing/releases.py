"""Releases and listings: what publishing, withdrawing, discarding and reverting are made of.

Learners read listings only (catalog.models.Listing): a listing serves one release from `live_from`
until `live_until`. Publishing stores release n+1 and gives it a listing from now; unpublishing and
archiving end the live listing (the release stays in the history); discard and revert copy a
release back into the working copy, which learners never see until it is published.
"""

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from catalog import cache, selectors
from catalog.domain import documents, workflow
from catalog.errors import CatalogValidationError, InvalidTransitionError
from catalog.models import Course, CourseTransition, Listing, Module, Release, SlugRedirect, Unit
from catalog.services.changes.feed import feed_published, feed_removed
from catalog.services.common import park, touch, user_or_none
from catalog.services.releasing import counts
from catalog.services.search import listing_search_refresh

Status = Course.Status


def record(course: Course, action: str, *, before: str, release=None, by=None, at=None, scheduled=False) -> None:
    CourseTransition.objects.create(
        course=course,
        from_status=before,
        to_status=course.status,
        action=action,
        release=release,
        by=user_or_none(by),
        at=at or timezone.now(),
        scheduled=scheduled,
    )


def new_release(course: Course, document: dict, *, by=None, at=None) -> Release:
    number = (course.releases.aggregate(n=Max("number"))["n"] or 0) + 1
    return Release.objects.create(
        course=course,
        number=number,
        document=document,
        fingerprint=documents.fingerprint(document),
        slug=course.slug,
        created_at=at or timezone.now(),
        created_by=user_or_none(by),
    )


def listing_fields(course: Course, release: Release, *, live_from) -> dict:
    """What a listing serves of `release`: columns, the summary and the detail (rendered once, here)."""
    document = release.document
    slug = release.slug or course.slug
    fields = {
        "course_id": course.pk,
        "slug": slug,
        "status": Status.PUBLISHED,
        "published_at": live_from,
        "created_at": course.created_at,
        "updated_at": release.created_at,
    }
    unit_count, module_count = documents.counts(document)
    return {
        "slug": slug,
        "title": document["title"],
        "description": document["description"],
        "topic": document["topic"],
        "created_at": course.created_at,
        "live_from": live_from,
        "unit_count": unit_count,
        "module_count": module_count,
        "level": document.get("level"),
        "language": document.get("language", documents.DEFAULTS["language"]),
        "duration_minutes": documents.duration(document),
        "summary": documents.dumps(documents.summary(document, **fields)),
        "detail": documents.dumps(documents.detail(document, **fields)),
        "search_text": " ".join(documents.search_parts(document)),
    }


def make_listing(course: Course, release: Release, *, live_from, live_until=None) -> Listing:
    """A listing of `release`; counted in its topic at once when it is live from now (a scheduled one
    is counted when its going live is recorded)."""
    counted = live_from <= timezone.now()
    listing = Listing.objects.create(
        course=course,
        release=release,
        live_until=live_until,
        counted=counted,
        **listing_fields(course, release, live_from=live_from),
    )
    if counted:
        counts.add(counts.gone_live([listing]))
    listing_search_refresh([listing])
    cache.course_changed(slugs=[listing.slug])
    return listing


# One index lookup per slug, a subquery each: written as `slug IN (…)`, the statement had PostgreSQL scan
# every listing for each chunk of a first import (listings it has no statistics of yet, so it guessed
# that hundreds of slugs match): 55 ms a chunk, 11 s in all, at 100,000 courses.
_HELD_SQL = (
    f"SELECT s.slug, (SELECT c.title FROM {Listing._meta.db_table} l JOIN {Course._meta.db_table} c "
    "ON c.id = l.course_id WHERE l.slug = s.slug AND l.course_id IS DISTINCT FROM %s::bigint LIMIT 1) "
    "FROM unnest(%s::text[]) AS s(slug)"
)


def addresses_held(slugs, *, course_id=None) -> dict[str, str]:
    """{slug: course title} of the slugs that learners find another course at, now or once a scheduled
    release goes live: a course renamed in its working copy keeps its live address until it publishes,
    and no other course may take that address meanwhile (two courses would answer at one URL)."""
    slugs = list(slugs)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_HELD_SQL, [course_id, slugs])
            return {slug: title for slug, title in cursor.fetchall() if title is not None}
    held = Listing.objects.filter(slug__in=slugs).exclude(course_id=course_id)
    return dict(held.values_list("slug", "course__title"))


def address_held_error(slug: str, title: str) -> CatalogValidationError:
    return CatalogValidationError(
        {
            "slug": [
                f"Learners still find '{title}' at '{slug}' until its new address is published; "
                "choose another slug, or publish that course first."
            ]
        }
    )


def address_moved(course: Course, *, old_slug: str, new_slug: str, number: int, at) -> None:
    """A release of `course` went live at `new_slug` in place of one at `old_slug`: the old address
    redirects (301) from now on, the new one stops redirecting anywhere, and the feed says the course
    left the old slug. Both addresses are purged from every cache (Redis and the edge) on commit."""
    SlugRedirect.objects.filter(slug=new_slug).delete()
    SlugRedirect.objects.update_or_create(slug=old_slug, defaults={"course": course})
    feed_removed(course_id=course.pk, slug=old_slug, release=number, at=at)
    cache.course_changed(slugs=[new_slug, old_slug])


def live_listing(course: Course, now) -> Listing | None:
    return course.listings.filter(selectors.live_at(now)).select_related("release").first()


def pending_listing(course: Course, now) -> Listing | None:
    return course.listings.filter(live_from__gt=now).select_related("release").first()


def drop_listing(listing: Listing, *, with_release: bool = False) -> None:
    release = listing.release
    counts.removed([listing])
    listing.delete()
    if with_release:
        release.delete()


def cancel_publish(course: Course, *, now) -> None:
    """Drop a scheduled publish: its listing, and its release (it never went live)."""
    pending = pending_listing(course, now)
    if pending is not None:
        drop_listing(pending, with_release=True)
    live = live_listing(course, now)
    if live is not None and live.live_until != course.unpublish_at:
        live.live_until = course.unpublish_at
        live.save(update_fields=["live_until"])
        cache.course_changed(slugs=[course.slug])
    if course.publish_at is not None:
        course.publish_at = None
        course.save(update_fields=["publish_at"])


def refuse_unless_allowed(course: Course, action: str) -> None:
    refusal = workflow.transition_refusal(course.slug, course.status, action)
    if refusal:
        raise InvalidTransitionError(refusal)


def publishable_document(course: Course) -> dict:
    """The working copy as a document, or InvalidTransitionError when the publish rule refuses it."""
    document = selectors.working_document(course=course)
    refusal = workflow.publish_refusal(course.slug, documents.publish_shape(document))
    if refusal:
        raise InvalidTransitionError(refusal)
    return document


def write_working_copy(course: Course, document: dict, *, now) -> None:
    """Make the course's fields and tree exactly `document`, ids included (rows deleted since come back)."""
    for name in documents.CONTENT_FIELDS:
        setattr(course, name, document.get(name, documents.DEFAULTS.get(name)))
    course.save(update_fields=list(documents.CONTENT_FIELDS))
    units = {u["id"]: {"course_id": course.pk, "title": u["title"], "order": u["order"]} for u in document["units"]}
    modules = {
        m["id"]: {
            "unit_id": u["id"],
            "title": m["title"],
            "order": m["order"],
            "content": m["content"],
            "minutes": m.get("minutes"),
        }
        for u in document["units"]
        for m in u["modules"]
    }
    Module.objects.filter(unit__course=course).exclude(pk__in=list(modules)).delete()
    Unit.objects.filter(course=course).exclude(pk__in=list(units)).delete()
    _replace_rows(Unit, Unit.objects.filter(course=course), units, now)
    _replace_rows(Module, Module.objects.filter(unit__course=course), modules, now)
    touch(course, now)


def _replace_rows(model, current, wanted: dict[int, dict], now) -> None:
    """Rows of `current` take the values of `wanted` (by id); ids `current` lacks are created."""
    existing = {row.pk: row for row in current}
    park(model, list(existing))  # every kept row is written below, order included
    for pk, row in existing.items():
        values = wanted[pk]
        if any(getattr(row, name) != value for name, value in values.items()):
            row.updated_at = now
        for name, value in values.items():
            setattr(row, name, value)
    if existing:
        names = list(next(iter(wanted.values())))
        model.objects.bulk_update(list(existing.values()), [*names, "updated_at"])
    created = [
        model(pk=pk, created_at=now, updated_at=now, **values) for pk, values in wanted.items() if pk not in existing
    ]
    model.objects.bulk_create(created)


def go_live(course: Course, release: Release, *, at, by=None, replacing: Listing | None) -> None:
    """`release` becomes what learners see from `at`: a new listing, the status, the history."""
    live_until = None
    with counts.summed():  # one change of the counts: a new release of the same size resizes nothing
        if replacing is not None:
            live_until = replacing.live_until if replacing.live_until and replacing.live_until > at else None
            drop_listing(replacing)
        listing = make_listing(course, release, live_from=at, live_until=live_until)
    if replacing is not None and replacing.slug != listing.slug:
        address_moved(course, old_slug=replacing.slug, new_slug=listing.slug, number=replacing.release.number, at=at)
    feed_published(listing)
    before = course.status
    course.status, course.published_at, course.updated_at = Status.PUBLISHED, at, at
    course.save(update_fields=["status", "published_at", "updated_at"])
    record(course, "publish", before=before, release=release.number, by=by, at=at)


def withdraw(course: Course, *, now, by=None, status=Status.DRAFT) -> None:
    """End the live listing (its release stays in the history) and move the course to `status`."""
    live = live_listing(course, now)
    number = live.release.number if live else None
    if live is not None:
        drop_listing(live)
        feed_removed(course_id=course.pk, slug=live.slug, release=number, at=now)
    pending = pending_listing(course, now)
    if course.unpublish_at and (pending is None or pending.live_until != course.unpublish_at):
        course.unpublish_at = None  # it was the withdrawal of the listing that just ended
    before = course.status
    course.status, course.updated_at = status, now
    course.save(update_fields=["status", "updated_at", "unpublish_at"])
    action = "unpublish" if status == Status.DRAFT else "archive"
    record(course, action, before=before, release=number, by=by, at=now)


# --- retention ------------------------------------------------------------------------------------


@transaction.atomic
def releases_prune(*, keep: int) -> int:
    """Delete all but each course's `keep` newest releases, never one that is live or scheduled."""
    if keep < 1:
        raise ValueError("keep at least one release per course")
    listed = set(Listing.objects.values_list("release_id", flat=True))
    doomed = []
    newest = {}
    for pk, course_id in Release.objects.order_by("course_id", "-number").values_list("pk", "course_id"):
        newest[course_id] = newest.get(course_id, 0) + 1
        if newest[course_id] > keep and pk not in listed:
            doomed.append(pk)
    for start in range(0, len(doomed), 1000):
        Release.objects.filter(pk__in=doomed[start : start + 1000]).delete()
    return len(doomed)
