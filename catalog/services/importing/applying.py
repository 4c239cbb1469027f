"""Applying upsert plans: a few statements per batch for the working copy, then the workflow's moves.

Records that say "published" are published in the same transaction, in batch: one release and one
listing each when the result differs from what learners see.
"""

from django.db.models import Max
from django.utils import timezone

from catalog import cache, selectors
from catalog.domain import documents
from catalog.models import Course, CourseTransition, Listing, Module, Release, SlugRedirect, Unit
from catalog.services.changes.feed import feed_append, published_entry
from catalog.services.common import park, user_or_none
from catalog.services.importing.planning import Plan
from catalog.services.releasing import counts
from catalog.services.releasing.releases import address_moved, cancel_publish, listing_fields, record, withdraw
from catalog.services.search import listing_search_refresh, search_refresh_from_titles

Status = Course.Status
COURSE_COLUMNS = [
    *documents.CONTENT_FIELDS, "updated_at", "unit_count", "module_count", "duration_minutes", "fingerprint",
]  # fmt: skip


def apply(plans: list[Plan], *, by) -> None:
    """Write the plans that change something; unchanged records cost nothing here."""
    changed = [p for p in plans if p.changed]
    if not changed:
        return
    now = timezone.now()
    by = user_or_none(by)
    writes = [p for p in changed if p.working_changed]
    _apply_courses(writes, now)
    # Old rows go first, so that what stays can be renumbered into their places.
    Module.objects.filter(pk__in=[m.pk for p in writes for m in p.module_deletes]).delete()
    Unit.objects.filter(pk__in=[u.pk for p in writes for u in p.unit_deletes]).delete()
    _apply_units(writes, now)
    _apply_modules(writes, now)
    documents_of = {id(p): _document(p) for p in changed}
    for plan in writes:
        plan.course.fingerprint = documents.fingerprint(documents_of[id(plan)])
        plan.course.duration_minutes = documents.duration(documents_of[id(plan)])
    Course.objects.bulk_update([p.course for p in writes], COURSE_COLUMNS, batch_size=500)
    search_refresh_from_titles(rows=[(p.course.pk, *documents.search_parts(documents_of[id(p)])) for p in writes])
    _publish([p for p in changed if p.action == "publish"], documents_of, now, by=by)
    for plan in changed:
        if plan.action in ("unpublish", "archive"):
            withdraw(
                plan.course, now=now, by=by, status=Status.DRAFT if plan.action == "unpublish" else Status.ARCHIVED
            )
        elif plan.action == "restore":
            _restore(plan.course, now, by=by)
    for plan in writes:
        # This write changed the working copy of a published course and left it unpublished.
        plan.result.unpublished_changes = plan.action is None and plan.live_fingerprint not in (
            None,
            plan.course.fingerprint,
        )


def _apply_courses(writes: list[Plan], now) -> None:
    """Insert the new courses; set the new values on the others (written once the tree is)."""
    new_courses = []
    for plan in writes:
        values = {k: v for k, v in plan.course_values.items() if k != "status"}
        if plan.course is None:
            plan.course = Course(slug=plan.record["slug"], created_at=now, status=Status.DRAFT, **values)
            new_courses.append(plan.course)
        else:
            for name, value in values.items():
                setattr(plan.course, name, value)
        plan.course.updated_at = now
        plan.result.course = plan.course
    Course.objects.bulk_create(new_courses, batch_size=500)
    # A new course takes its slug from any course that used to answer there.
    SlugRedirect.objects.filter(slug__in=[c.slug for c in new_courses]).delete()


def _apply_units(writes: list[Plan], now) -> None:
    updates, new_units = [], []
    for plan in writes:
        for row, title in plan.unit_updates:
            row.title = title
            updates.append(row)
        for position, row in enumerate(plan.unit_rows, start=1):
            row.order_target = position
            if row.pk is None:
                row.course = plan.course
                row.created_at = row.updated_at = now
                new_units.append(row)
    _write_rows(Unit, updates, ["title"], now)
    Unit.objects.bulk_create(new_units, batch_size=1000)


def _apply_modules(writes: list[Plan], now) -> None:
    updates, new_modules = [], []
    for plan in writes:
        for row, wanted in plan.module_updates:
            row.title, row.content, row.minutes = wanted["title"], wanted["content"], wanted["minutes"]
            updates.append(row)
        for unit in plan.unit_rows:
            for position, module in enumerate(plan.module_rows[id(unit)], start=1):
                module.order_target = position
                if module.pk is None:
                    module.unit = unit
                    module.created_at = module.updated_at = now
                    new_modules.append(module)
    _write_rows(Module, updates, ["title", "content", "minutes"], now)
    Module.objects.bulk_create(new_modules, batch_size=2000)


def _write_rows(model, rows, fields, now) -> None:
    """bulk_update `fields` and the planned order of `rows` (parking orders first on SQLite)."""
    park(model, [row.pk for row in rows if row.order != row.order_target])
    for row in rows:
        row.order = row.order_target
        row.updated_at = now
    model.objects.bulk_update(rows, [*fields, "order", "updated_at"], batch_size=1000)


def _document(plan: Plan) -> dict:
    """The working copy the plan leaves, as a document (ids are known once the rows are written)."""
    record = plan.record
    return {
        "title": record["title"],
        "description": record["description"],
        "topic": record["topic"],
        "level": record["level"],
        "language": record["language"],
        "units": [
            {
                "id": unit.pk,
                "title": unit.title,
                "order": position,
                "modules": [
                    {"id": m.pk, "title": m.title, "order": n, "content": m.content, "minutes": m.minutes}
                    for n, m in enumerate(plan.module_rows[id(unit)], start=1)
                ],
            }
            for position, unit in enumerate(plan.unit_rows, start=1)
        ],
    }


def _publish(plans: list[Plan], documents_of: dict, now, *, by) -> None:
    """Publish each plan's course: release n+1 and its listing, replacing the live one (batched)."""
    if not plans:
        return
    courses = [p.course for p in plans]
    _cancel_scheduled_publishes(courses, now)  # first: a frozen release they drop frees its number
    numbers = dict(
        Release.objects.filter(course__in=courses).values("course").annotate(n=Max("number")).values_list("course", "n")
    )
    releases = [
        Release(
            course=p.course,
            number=numbers.get(p.course.pk, 0) + 1,
            document=documents_of[id(p)],
            fingerprint=p.course.fingerprint,
            slug=p.course.slug,
            created_at=now,
            created_by=by,
        )
        for p in plans
    ]
    Release.objects.bulk_create(releases, batch_size=500)
    replaced = {listing.course_id: listing for listing in _live_listings(courses, now)}
    counts.removed(replaced.values())
    Listing.objects.filter(pk__in=[listing.pk for listing in replaced.values()]).delete()
    listings = []
    for plan, release in zip(plans, releases, strict=True):
        previous = replaced.get(plan.course.pk)
        until = previous.live_until if previous and previous.live_until and previous.live_until > now else None
        listings.append(
            Listing(
                course=plan.course,
                release=release,
                live_until=until,
                counted=True,
                **listing_fields(plan.course, release, live_from=now),
            )
        )
    Listing.objects.bulk_create(listings, batch_size=500)
    for listing in listings:
        previous = replaced.get(listing.course_id)
        if previous is not None and previous.slug != listing.slug:
            address_moved(
                listing.course, old_slug=previous.slug, new_slug=listing.slug, number=previous.release.number, at=now
            )
    counts.add(counts.gone_live(listings))
    listing_search_refresh(listings)
    feed_append([published_entry(listing) for listing in listings])
    transitions = []
    for plan, release in zip(plans, releases, strict=True):
        course = plan.course
        transitions.append(
            CourseTransition(
                course=course,
                from_status=course.status,
                to_status=Status.PUBLISHED,
                action="publish",
                release=release.number,
                by=by,
                at=now,
            )
        )
        course.status, course.published_at, course.updated_at = Status.PUBLISHED, now, now
    Course.objects.bulk_update(courses, ["status", "published_at", "updated_at"], batch_size=500)
    CourseTransition.objects.bulk_create(transitions, batch_size=500)
    cache.course_changed(slugs=[c.slug for c in courses])


def _live_listings(courses, now):
    return Listing.objects.filter(selectors.live_at(now), course__in=courses).select_related("release")


def _cancel_scheduled_publishes(courses, now) -> None:
    scheduled = [c for c in courses if c.publish_at is not None]
    for course in scheduled:
        cancel_publish(course, now=now)


def _restore(course: Course, now, *, by) -> None:
    course.status, course.updated_at = Status.DRAFT, now
    course.save(update_fields=["status", "updated_at"])
    record(course, "restore", before=Status.ARCHIVED, by=by, at=now)
