"""Whole-tree upserts by slug (import, API PUT, course creation): plan every record, then write in batches.

Planning (catalog.services.importing.planning) reads what exists and decides, per record, what changes;
nothing is written until every record of the batch has been planned without error (all or
nothing). Applying (catalog.services.importing.applying) writes the plans with a few statements per batch.
Identical input writes nothing.
"""

from collections import defaultdict

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from catalog import selectors
from catalog.db.sql import many
from catalog.domain import workflow
from catalog.domain.records import clean_record
from catalog.errors import (
    CatalogBatchError,
    CatalogConflictError,
    CatalogError,
    CatalogValidationError,
    InvalidTransitionError,
)
from catalog.models import Course, Listing, Module, Unit
from catalog.services.common import Precondition, user_or_none
from catalog.services.importing import creating
from catalog.services.importing.applying import apply
from catalog.services.importing.identity import identities_follow, identities_write
from catalog.services.importing.imports import DEFAULT_SOURCE, import_bases, import_states_write
from catalog.services.importing.merging import merge, remembered, with_ids
from catalog.services.importing.planning import UpsertResult, plan_record
from catalog.services.releasing.releases import address_held_error, addresses_held
from catalog.services.releasing.schedule import settle_course
from catalog.services.topics import topic_names_remember

# --force does not take a course out of the archive: an editor (or --prune) put it there on purpose,
# and the workflow's way out is a restore to draft. The rest of the record is written, and the file goes
# on (without --force, the editor's archiving is kept like any change of theirs; see merging).
STAYS_ARCHIVED = (
    "status: not published, the course is archived (the rest of the record is in its working copy;"
    " to publish it, restore it in the admin, or restore it and import again with --force)"
)


def duplicate_slug_error(slug: str, first: str, within: str) -> CatalogValidationError:
    """The one wording of "this slug came twice", for a batch and for a whole file alike."""
    return CatalogValidationError({"slug": [f"The slug '{slug}' appears twice in this {within} (first at {first})."]})


def course_upsert_tree(
    *, record: dict, by=None, dry_run: bool = False, precondition: Precondition | None = None
) -> UpsertResult:
    """Make one course and its tree exactly as `record` says (see the import format)."""
    return upsert_one(clean_record(record), by=by, dry_run=dry_run, precondition=precondition)


def upsert_one(record: dict, *, by=None, dry_run: bool = False, precondition=None) -> UpsertResult:
    try:
        return courses_upsert(records=[record], by=by, dry_run=dry_run, precondition=precondition)[0]
    except CatalogBatchError as exc:
        raise exc.failures[0] from None


def courses_upsert(
    *,
    records: list[dict],
    by=None,
    dry_run: bool = False,
    precondition: Precondition | None = None,
    source: str | None = None,
    hashes: list[str] | None = None,
    force: bool = False,
    recreate: bool = False,
) -> list[UpsertResult]:
    """Upsert cleaned records (see catalog.domain.records.clean_record) by slug, all or nothing.

    Unchanged records cost reads only. Raises CatalogBatchError with every failing record's index
    when any record breaks a rule; then nothing is written. `precondition` (one record only) is
    checked under the lock, with the existing course or None. An import names its `source` and
    gives each record's hash (services.imports.record_hash): what it wrote is remembered, and what
    an editor changed since the last import of a course is kept (see services.merging) unless `force`.
    An import's records follow the courses they created (services.importing.identity); a course an
    editor deleted is created again only with `recreate`.
    """
    for attempt in range(2):
        try:
            with transaction.atomic():
                if not source:
                    results = _upsert_batch(records, by=by, dry_run=dry_run, precondition=precondition)
                else:
                    results = _import_batch(records, by=by, dry_run=dry_run, source=source, hashes=hashes,
                                            force=force, recreate=recreate)  # fmt: skip
                if not dry_run:
                    topic_names_remember(names=[record["topic"] for record in records])
                return results
        except IntegrityError as exc:
            # Another writer created one of these slugs between our read and our insert: the second
            # attempt sees it and updates it instead.
            if attempt == 1 or connection.in_atomic_block:
                raise CatalogConflictError(f"A concurrent write collided with this one; retry it. ({exc})") from exc
    raise AssertionError("unreachable")


def _import_batch(records, *, by, dry_run, source, hashes, force, recreate) -> list[UpsertResult]:
    _lock_slugs(sorted({record["slug"] for record in records}))
    # Without a named source an import is the contract's plain upsert by slug (an export imported into
    # an emptied catalog creates it all again); a generator names its source, and its records follow.
    named = source != DEFAULT_SOURCE
    followed = identities_follow(records=records, source=source, recreate=recreate, follow=named)
    planned_only = dry_run or bool(followed.failures)
    try:
        written = _upsert_batch(followed.records, by=by, dry_run=planned_only, precondition=None, merging=True,
                                force=force)  # fmt: skip
    except CatalogBatchError as exc:
        raise followed.with_failures(exc.failures) from None
    if followed.failures:
        raise followed.with_failures({})
    if not dry_run:
        digests = [hashes[position] for position in followed.positions]
        items = [(r.course, r.remember, digest, r.kept) for r, digest in zip(written, digests, strict=True)]
        import_states_write(items=items, source=source)
        if named:
            identities_write(source=source, followed=followed, written=written)
    return followed.results(written)


IMPORTS_LOCK = 0x696D706F7274  # "import"


def _lock_slugs(slugs: list[str]) -> None:
    """Serialise writers of the same slugs, including slugs no row holds yet (PostgreSQL).

    Row locks cannot cover a course that does not exist: two writers creating the same new slug
    would both plan an insert, and the second would fail on the unique slug. One record (an API
    PUT) takes a transaction-level advisory lock on its slug; a batch (an import file) takes one
    lock for all imports, so that a file of any size holds one entry in PostgreSQL's shared lock
    table (not one per course), and overlapping imports take turns, whole files at a time.
    """
    if connection.vendor != "postgresql" or not slugs:
        return
    with connection.cursor() as cursor:
        if len(slugs) == 1:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", slugs)
        else:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORTS_LOCK])


def _upsert_batch(records, *, by, dry_run, precondition, merging=False, force=False) -> list[UpsertResult]:
    failures: dict[int, CatalogError] = {}
    first_seen: dict[str, int] = {}
    for i, record in enumerate(records):
        first = first_seen.setdefault(record["slug"], i)
        if first != i:
            failures[i] = duplicate_slug_error(record["slug"], str(first), "batch")

    _lock_slugs(sorted(first_seen))
    existing, units_of, modules_of, live = _read_existing(list(first_seen))
    _refuse_held_addresses(records, existing, failures)
    if precondition is not None:
        precondition(existing.get(records[0]["slug"]))
    bases = {} if force or not merging else import_bases(existing.values())

    # New courses of a batch are created in bulk (PostgreSQL); single records and the rest are planned.
    fresh = [r for r in records if r["slug"] not in existing and len(records) > 1 and creating.supported(r)]
    bulk = {r["slug"] for r in fresh}
    plans, results = [], []
    for i, record in enumerate(records):
        if i in failures:
            continue
        course = existing.get(record["slug"])
        try:
            if course is None and record["slug"] in bulk:
                _check_new(record)
                results.append(UpsertResult(slug=record["slug"], outcome="created", remember=remembered(record)))
                continue
            units = units_of[course.pk] if course else []
            plans.append(_plan(record, course, units, modules_of, bases, live, forced=merging and force))
            results.append(plans[-1].result)
        except CatalogError as exc:
            failures[i] = exc
    if failures:
        raise CatalogBatchError(failures)
    if not dry_run:
        apply(plans, by=by)
        if bulk:
            created = iter(creating.create_courses(fresh, by=user_or_none(by), now=timezone.now()))
            results = [_created(next(created), r) if r.slug in bulk else r for r in results]
    return results


def _plan(record, course, units, modules_of, bases, live, *, forced):
    merged = merge(record, course, units, modules_of, bases.get(course.pk) if course else None)
    archived = forced and course is not None and course.status == Course.Status.ARCHIVED
    stays_archived = archived and merged.record.get("status") == Course.Status.PUBLISHED
    if stays_archived:
        merged.record = {**merged.record, "status": Course.Status.ARCHIVED}
    live_fingerprint = live.get(course.pk) if course else None
    plan = plan_record(merged.record, course, units, modules_of, live_fingerprint=live_fingerprint)
    plan.result.kept, plan.result.remember = merged.kept, merged.remember
    if stays_archived:
        plan.result.notes.append(STAYS_ARCHIVED)
    return plan


def _refuse_held_addresses(records, existing, failures) -> None:
    """A new course may not take an address learners still find another course at (its slug changed in
    the working copy, not yet published): the same rule as a rename."""
    held = addresses_held([r["slug"] for r in records if r["slug"] not in existing])
    for i, record in enumerate(records):
        if record["slug"] in held and i not in failures:
            failures[i] = address_held_error(record["slug"], held[record["slug"]])


def _created(written: UpsertResult, planned: UpsertResult) -> UpsertResult:
    unit_ids = [unit_id for unit_id, _ in written.tree_ids]
    written.remember = with_ids(dict(planned.remember), unit_ids, dict(written.tree_ids))
    return written


def _check_new(record: dict) -> None:
    """The workflow's rules for a new course that the bulk path creates: publishing needs a full tree."""
    if record.get("status") == Course.Status.PUBLISHED:
        refusal = workflow.publish_refusal(record["slug"], [(u["title"], len(u["modules"])) for u in record["units"]])
        if refusal:
            raise InvalidTransitionError(refusal)


def _read_existing(slugs):
    """The courses with these slugs (locked, their due switches recorded), their units and modules in
    order, and the fingerprints of their live releases."""
    locked = Course.objects.select_for_update().filter(slug__in=many(slugs, "text")).order_by("pk")
    existing = {c.slug: c for c in locked}
    now = timezone.now()  # after the locks, like every write
    for course in existing.values():
        if any(at and at <= now for at in (course.publish_at, course.unpublish_at)):
            settle_course(course, now=now)
    ids = many([course.pk for course in existing.values()], "bigint")
    units_of = defaultdict(list)
    for unit in Unit.objects.filter(course_id__in=ids).order_by("course_id", "order"):
        units_of[unit.course_id].append(unit)
    modules_of = defaultdict(list)
    for module in Module.objects.filter(unit__course_id__in=ids).order_by("unit_id", "order"):
        modules_of[module.unit_id].append(module)
    slugs_of = {course.pk: course.slug for course in existing.values()}
    # A live release at another address than the working copy's differs from it even with equal
    # content (the slug is part of the release): publishing it must make a new one.
    live = {
        course_id: fingerprint if slug == slugs_of[course_id] else f"{fingerprint} at {slug}"
        for course_id, fingerprint, slug in Listing.objects.filter(
            selectors.live_at(now), course_id__in=ids
        ).values_list("course_id", "release__fingerprint", "slug")
    }
    return existing, units_of, modules_of, live
