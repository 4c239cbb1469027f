"""Whole-tree upserts by slug (import, API PUT, course creation): plan every record, then write in batches.

Planning reads what exists and decides, per record, what changes; nothing is written until every
record of the batch has been planned without error (all or nothing). Applying writes the plans with
a few statements per batch. Units and modules are matched by title first, then by position, so a
reorder keeps their ids; identical input writes nothing.
"""

from collections import defaultdict, deque
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .. import cache
from ..errors import (
    CatalogBatchError,
    CatalogConflictError,
    CatalogError,
    CatalogValidationError,
    InvalidTransitionError,
)
from ..models import Course, CourseTransition, Module, Unit
from ..records import clean_record
from . import workflow
from .common import Precondition, park, user_or_none
from .search import search_refresh_from_titles

Status = Course.Status
COURSE_COLUMNS = ["title", "description", "topic", "status", "published_at", "updated_at", "unit_count", "module_count"]


@dataclass
class UpsertResult:
    slug: str
    outcome: str  # "created", "updated" or "unchanged"
    changes: list[str] = field(default_factory=list)
    course: Course | None = None


@dataclass
class _Plan:
    record: dict
    course: Course | None
    result: UpsertResult
    course_values: dict = field(default_factory=dict)
    action: str | None = None
    unit_deletes: list = field(default_factory=list)
    unit_rows: list = field(default_factory=list)  # final order: existing Unit or new Unit
    unit_updates: list = field(default_factory=list)
    module_deletes: list = field(default_factory=list)
    module_rows: dict = field(default_factory=dict)  # id(unit row) -> final list of Module rows
    module_updates: list = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.result.outcome != "unchanged"


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
    *, records: list[dict], by=None, dry_run: bool = False, precondition: Precondition | None = None
) -> list[UpsertResult]:
    """Upsert cleaned records (see catalog.records.clean_record) by slug, all or nothing.

    Unchanged records cost reads only. Raises CatalogBatchError with every failing record's index
    when any record breaks a rule; then nothing is written. `precondition` (one record only) is
    checked under the lock, with the existing course or None.
    """
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _upsert_batch(records, by=by, dry_run=dry_run, precondition=precondition)
        except IntegrityError as exc:
            # Another writer created one of these slugs between our read and our insert: the second
            # attempt sees it and updates it instead.
            if attempt == 1 or connection.in_atomic_block:
                raise CatalogConflictError(f"A concurrent write collided with this one; retry it. ({exc})") from exc
    raise AssertionError("unreachable")


def _lock_slugs(slugs: list[str]) -> None:
    """Serialise writers of the same slugs, including slugs no row holds yet (PostgreSQL).

    Row locks cannot cover a course that does not exist: two imports creating the same new slug
    would both plan an insert, and the second would fail on the unique slug. A transaction-level
    advisory lock per slug, taken in sorted order before anything is read, makes the second writer
    wait and then see the first one's course, with no deadlock between overlapping batches.
    """
    if connection.vendor != "postgresql" or not slugs:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(hashtextextended(slug, 0))) "
            "FROM (SELECT slug FROM unnest(%s::text[]) WITH ORDINALITY AS t(slug, n) ORDER BY n) AS sorted",
            [slugs],
        )


def _upsert_batch(records, *, by, dry_run, precondition) -> list[UpsertResult]:
    failures: dict[int, CatalogError] = {}
    first_seen: dict[str, int] = {}
    for i, record in enumerate(records):
        first = first_seen.setdefault(record["slug"], i)
        if first != i:
            failures[i] = duplicate_slug_error(record["slug"], str(first), "batch")

    _lock_slugs(sorted(first_seen))
    existing, units_of, modules_of = _read_existing(list(first_seen))
    if precondition is not None:
        precondition(existing.get(records[0]["slug"]))

    plans = []
    for i, record in enumerate(records):
        if i in failures:
            continue
        course = existing.get(record["slug"])
        try:
            plans.append(_plan(record, course, units_of[course.pk] if course else [], modules_of))
        except CatalogError as exc:
            failures[i] = exc
    if failures:
        raise CatalogBatchError(failures)
    if not dry_run:
        _apply(plans, by=by)
    return [plan.result for plan in plans]


def _read_existing(slugs):
    """The courses with these slugs (locked), their units and their modules, each in order."""
    existing = {c.slug: c for c in Course.objects.select_for_update().filter(slug__in=slugs).order_by("pk")}
    units_of = defaultdict(list)
    for unit in Unit.objects.filter(course__in=list(existing.values())).order_by("course_id", "order"):
        units_of[unit.course_id].append(unit)
    modules_of = defaultdict(list)
    for module in Module.objects.filter(unit__course__in=list(existing.values())).order_by("unit_id", "order"):
        modules_of[module.unit_id].append(module)
    return existing, units_of, modules_of


def _match(existing: list, wanted: list[dict]) -> tuple[list, list]:
    """Pair wanted items with existing rows: same title first, then the rest in order."""
    by_title = defaultdict(deque)
    for row in existing:
        by_title[row.title].append(row)
    paired = [by_title[w["title"]].popleft() if by_title.get(w["title"]) else None for w in wanted]
    used = {id(row) for row in paired if row is not None}
    leftovers = deque(row for row in existing if id(row) not in used)
    paired = [row if row is not None else (leftovers.popleft() if leftovers else None) for row in paired]
    return paired, list(leftovers)


# --- planning -------------------------------------------------------------------------------------


def _plan(record: dict, course: Course | None, units: list, modules_of) -> _Plan:
    result = UpsertResult(slug=record["slug"], outcome="created" if course is None else "unchanged", course=course)
    plan = _Plan(record=record, course=course, result=result)
    _plan_fields(plan)
    _plan_units(plan, units, modules_of)
    _plan_status(plan)
    if course is not None and result.changes:
        result.outcome = "updated"
    return plan


def _plan_fields(plan: _Plan) -> None:
    for name in ("title", "description", "topic"):
        if plan.course is None or getattr(plan.course, name) != plan.record[name]:
            plan.course_values[name] = plan.record[name]
            if plan.course is not None:
                plan.result.changes.append(name)


def _plan_units(plan: _Plan, units: list, modules_of) -> None:
    changes = plan.result.changes
    wanted_units = plan.record["units"]
    paired, plan.unit_deletes = _match(units, wanted_units)
    changes.extend(f"units: '{row.title}' removed" for row in plan.unit_deletes)
    for position, (wanted, row) in enumerate(zip(wanted_units, paired, strict=True), start=1):
        path = f"units[{position - 1}]"
        if row is None:
            row = Unit(title=wanted["title"], order=position)
            if plan.course is not None:
                changes.append(f"{path} added")
        else:
            dirty = []
            if row.title != wanted["title"]:
                dirty.append("title")
                changes.append(f"{path}.title")
            if row.order != position:
                dirty.append("order")
                changes.append(f"{path} moved from {row.order} to {position}")
            if dirty:
                plan.unit_updates.append((row, wanted["title"]))
        plan.unit_rows.append(row)
        existing_modules = modules_of.get(row.pk, []) if row.pk else []
        plan.module_rows[id(row)] = _plan_modules(plan, path, row, existing_modules, wanted["modules"])
    plan.course_values["unit_count"] = len(wanted_units)
    plan.course_values["module_count"] = sum(len(rows) for rows in plan.module_rows.values())


def _plan_modules(plan: _Plan, path: str, unit: Unit, existing: list, wanted_modules: list) -> list:
    changes = plan.result.changes
    paired, deletes = _match(existing, wanted_modules)
    plan.module_deletes.extend(deletes)
    changes.extend(f"{path}.modules: '{m.title}' removed" for m in deletes)
    rows = []
    for position, (wanted, row) in enumerate(zip(wanted_modules, paired, strict=True), start=1):
        m_path = f"{path}.modules[{position - 1}]"
        if row is None:
            row = Module(title=wanted["title"], content=wanted["content"], order=position)
            if unit.pk:
                changes.append(f"{m_path} added")
        else:
            dirty = [n for n in ("title", "content") if getattr(row, n) != wanted[n]]
            changes.extend(f"{m_path}.{n}" for n in dirty)
            if row.order != position:
                dirty.append("order")
                changes.append(f"{m_path} moved from {row.order} to {position}")
            if dirty:
                plan.module_updates.append((row, wanted))
        rows.append(row)
    return rows


def _plan_status(plan: _Plan) -> None:
    slug = plan.record["slug"]
    current = plan.course.status if plan.course else Status.DRAFT
    target = plan.record.get("status", current)
    if target != current:
        plan.action, refusal = workflow.action_for(slug, current, target)
        if refusal:
            raise InvalidTransitionError(refusal)
        plan.result.changes.append(f"status: {current} -> {target}")
    if plan.action == "publish":
        units = [(w["title"], len(w["modules"])) for w in plan.record["units"]]
        refusal = workflow.publish_refusal(slug, units)
        if refusal:
            raise InvalidTransitionError(refusal)
    plan.course_values["status"] = target


# --- applying -------------------------------------------------------------------------------------


def _apply(plans: list[_Plan], *, by) -> None:
    changed = [p for p in plans if p.changed]
    if not changed:
        return
    now = timezone.now()
    new_courses = _apply_courses(changed, now)
    # Old rows go first, so that what stays can be renumbered into their places.
    Module.objects.filter(pk__in=[m.pk for p in changed for m in p.module_deletes]).delete()
    Unit.objects.filter(pk__in=[u.pk for p in changed for u in p.unit_deletes]).delete()
    _apply_units(changed, now)
    _apply_modules(changed, now)
    _apply_status(changed, new_courses, now, by=user_or_none(by))
    search_refresh_from_titles(rows=[_search_titles(p) for p in changed])
    cache.course_changed(slugs=[p.course.slug for p in changed])


def _apply_courses(changed: list[_Plan], now) -> set[int]:
    """Insert the new courses, set the new values on the others (written with the status step)."""
    new_courses = []
    for plan in changed:
        values = {k: v for k, v in plan.course_values.items() if k != "status"}
        if plan.course is None:
            plan.course = Course(
                slug=plan.record["slug"], created_at=now, updated_at=now, status=Status.DRAFT, **values
            )
            new_courses.append(plan.course)
        else:
            for name, value in values.items():
                setattr(plan.course, name, value)
            plan.course.updated_at = now
        plan.result.course = plan.course
    Course.objects.bulk_create(new_courses, batch_size=500)
    return {id(c) for c in new_courses}


def _apply_units(changed: list[_Plan], now) -> None:
    updates, new_units = [], []
    for plan in changed:
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


def _apply_modules(changed: list[_Plan], now) -> None:
    updates, new_modules = [], []
    for plan in changed:
        for row, wanted in plan.module_updates:
            row.title, row.content = wanted["title"], wanted["content"]
            updates.append(row)
        for unit in plan.unit_rows:
            for position, module in enumerate(plan.module_rows[id(unit)], start=1):
                module.order_target = position
                if module.pk is None:
                    module.unit = unit
                    module.created_at = module.updated_at = now
                    new_modules.append(module)
    _write_rows(Module, updates, ["title", "content"], now)
    Module.objects.bulk_create(new_modules, batch_size=2000)


def _apply_status(changed: list[_Plan], new_courses: set[int], now, *, by) -> None:
    """Status moves, each through the workflow's rules (checked while planning); then the course rows."""
    transitions = []
    for plan in changed:
        if plan.action:
            to = workflow.target_of(plan.action)
            transitions.append(
                CourseTransition(course=plan.course, from_status=plan.course.status, to_status=to, by=by, at=now)
            )
            plan.course.status = to
            if to == Status.PUBLISHED:
                plan.course.published_at = now
    Course.objects.bulk_update(
        [p.course for p in changed if id(p.course) not in new_courses or p.action], COURSE_COLUMNS, batch_size=500
    )
    CourseTransition.objects.bulk_create(transitions)


def _write_rows(model, rows, fields, now) -> None:
    """bulk_update `fields` and the planned order of `rows` (parking orders first on SQLite)."""
    park(model, [row.pk for row in rows if row.order != row.order_target])
    for row in rows:
        row.order = row.order_target
        row.updated_at = now
    model.objects.bulk_update(rows, [*fields, "order", "updated_at"], batch_size=1000)


def _search_titles(plan: _Plan) -> tuple[int, str, str]:
    units = plan.unit_rows
    modules = (m.title for u in units for m in plan.module_rows[id(u)])
    return plan.course.pk, " ".join(u.title for u in units), " ".join(modules)
