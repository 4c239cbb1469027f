"""Every write to the catalog: fields, tree edits, whole-tree upserts and the status workflow.

Each service runs in one transaction, locks the course row before touching its tree (so concurrent
edits of one course serialise), keeps unit and module order contiguous (1..n), bumps the course's
`updated_at` on any change in its tree, and tells catalog.cache which courses changed; the cache
forgets them once the transaction has committed.
"""

from collections import defaultdict, deque
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from . import cache
from .errors import (
    CatalogBatchError,
    CatalogConflictError,
    CatalogError,
    CatalogNotFoundError,
    CatalogValidationError,
    InvalidTransitionError,
)
from .models import Course, CourseTransition, Module, Unit
from .records import CourseRecordSerializer, ModuleRecordSerializer, UnitRecordSerializer, clean_record, flatten_errors

Status = Course.Status

# Orders are parked above this while a reorder is applied on databases that check uniqueness row by
# row (SQLite); PostgreSQL defers the unique constraints to commit and needs no parking.
PARK_OFFSET = 1_000_000

PAST_TENSE = {"publish": "published", "unpublish": "unpublished", "archive": "archived", "restore": "restored"}
TRANSITIONS = {
    "publish": ((Status.DRAFT,), Status.PUBLISHED),
    "unpublish": ((Status.PUBLISHED,), Status.DRAFT),
    "archive": ((Status.DRAFT, Status.PUBLISHED), Status.ARCHIVED),
    "restore": ((Status.ARCHIVED,), Status.DRAFT),
}


# --- course fields ------------------------------------------------------------------------------

COURSE_FIELDS = ("slug", "title", "description", "topic")


def _clean_fields(serializer_class, data: dict, *, only) -> dict:
    serializer = serializer_class(data=data, partial=True)
    if not serializer.is_valid():
        raise CatalogValidationError(flatten_errors(serializer.errors))
    return {k: v for k, v in serializer.validated_data.items() if k in only}


@transaction.atomic
def course_create(*, slug: str, title: str, topic: str, description: str = "", units=(), by=None) -> Course:
    """Create a draft course, optionally with its whole tree (the record format's `units`)."""
    record = clean_record(
        {"slug": slug, "title": title, "topic": topic, "description": description, "units": list(units)}
    )
    if Course.objects.filter(slug=record["slug"]).exists():
        raise CatalogValidationError({"slug": [f"A course with the slug '{record['slug']}' already exists."]})
    return _upsert_one(record, by=by).course


@transaction.atomic
def course_update(*, course: Course, by=None, expected_updated_at=None, **changes) -> Course:
    """Change some of slug, title, description, topic; `status` moves through the workflow.

    With `expected_updated_at`, refuse (CatalogConflictError) if the course changed since then:
    the guard against two editors silently overwriting each other.
    """
    unknown = set(changes) - set(COURSE_FIELDS) - {"status"}
    if unknown:
        raise CatalogValidationError({key: ["This field cannot be changed here."] for key in sorted(unknown)})
    target_status = changes.pop("status", None)
    values = _clean_fields(CourseRecordSerializer, changes, only=COURSE_FIELDS)
    course = _lock_course(course.pk)
    if expected_updated_at is not None and course.updated_at != expected_updated_at:
        raise CatalogConflictError(
            f"'{course.slug}' was changed by someone else since you opened it "
            f"(last change {course.updated_at:%Y-%m-%d %H:%M:%S} UTC); reload it and apply your edit again."
        )
    old_slug = course.slug
    changed = [name for name, value in values.items() if getattr(course, name) != value]
    if "slug" in changed and Course.objects.filter(slug=values["slug"]).exclude(pk=course.pk).exists():
        raise CatalogValidationError({"slug": [f"A course with the slug '{values['slug']}' already exists."]})
    if target_status is not None and target_status != course.status:
        course = course_transition(course=course, action=_action_for(course, target_status), by=by)
    if not changed:
        return course
    for name in changed:
        setattr(course, name, values[name])
    course.updated_at = timezone.now()
    course.save(update_fields=[*changed, "updated_at"])
    if {"title", "description", "topic"} & set(changed):
        _refresh_search([course.pk])
    cache.course_changed(slugs=[old_slug, course.slug])
    return course


@transaction.atomic
def course_delete(*, course: Course) -> None:
    course = _lock_course(course.pk)
    slug = course.slug
    course.delete()
    cache.course_changed(slugs=[slug])


# --- workflow -----------------------------------------------------------------------------------


def _action_for(course: Course, target: str) -> str:
    for action, (sources, to) in TRANSITIONS.items():
        if to == target and course.status in sources:
            return action
    raise InvalidTransitionError(
        f"cannot move '{course.slug}' from {course.status} to {target}: " + _how_to_reach(course.status, target)
    )


def _how_to_reach(current: str, target: str) -> str:
    if target not in Status.values:
        return f"'{target}' is not a status (use draft, published or archived)."
    if current == Status.ARCHIVED and target == Status.PUBLISHED:
        return "restore it to draft first, then publish it."
    return "no transition leads there directly."


def _transition_refusal(course: Course, action: str) -> str | None:
    sources, _to = TRANSITIONS[action]
    if course.status not in sources:
        allowed = " or ".join(sources)
        return (
            f"cannot {action} '{course.slug}': it is {course.status}, "
            f"and only a {allowed} course can be {PAST_TENSE[action]}"
        )
    return None


def _publish_refusal(slug: str, units: list[tuple[str, int]]) -> str | None:
    """`units` lists (title, module count) in order; None when the tree may be published."""
    if not units:
        return f"cannot publish '{slug}': the course has no units"
    for position, (title, module_count) in enumerate(units, start=1):
        if module_count == 0:
            return f"cannot publish '{slug}': unit {position} '{title}' has no modules"
    return None


@transaction.atomic
def course_transition(*, course: Course, action: str, by=None) -> Course:
    if action not in TRANSITIONS:
        raise InvalidTransitionError(f"'{action}' is not a transition (use {', '.join(TRANSITIONS)}).")
    course = _lock_course(course.pk)
    refusal = _transition_refusal(course, action)
    if refusal is None and action == "publish":
        refusal = _publish_refusal(course.slug, _unit_module_counts(course))
    if refusal:
        raise InvalidTransitionError(refusal)
    _sources, to = TRANSITIONS[action]
    now = timezone.now()
    from_status = course.status
    course.status = to
    fields = ["status", "updated_at"]
    if to == Status.PUBLISHED:
        course.published_at = now
        fields.append("published_at")
    course.updated_at = now
    course.save(update_fields=fields)
    CourseTransition.objects.create(course=course, from_status=from_status, to_status=to, by=_user(by), at=now)
    cache.course_changed(slugs=[course.slug])
    return course


def _unit_module_counts(course: Course) -> list[tuple[str, int]]:
    units = Unit.objects.filter(course=course).annotate(n=Count("modules")).order_by("order")
    return list(units.values_list("title", "n"))


def course_publish(*, course: Course, by=None) -> Course:
    return course_transition(course=course, action="publish", by=by)


def course_unpublish(*, course: Course, by=None) -> Course:
    return course_transition(course=course, action="unpublish", by=by)


def course_archive(*, course: Course, by=None) -> Course:
    return course_transition(course=course, action="archive", by=by)


def course_restore(*, course: Course, by=None) -> Course:
    return course_transition(course=course, action="restore", by=by)


def _user(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


# --- units and modules --------------------------------------------------------------------------


def _lock_course(pk) -> Course:
    try:
        return Course.objects.select_for_update().get(pk=pk)
    except Course.DoesNotExist:
        raise CatalogNotFoundError("The course no longer exists.") from None


def _position(position, length: int) -> int:
    """1-based position in a list that will hold `length` items; None means the end."""
    if position is None:
        return length
    if isinstance(position, bool) or not isinstance(position, int) or not 1 <= position <= length:
        raise CatalogValidationError({"position": [f"Must be a whole number from 1 to {length}."]})
    return position


def _set_orders(model, rows, now) -> None:
    """Give each row the order of its place in `rows` (1..n), writing only those that move.

    A None in `rows` holds a place open for a row about to be inserted there.
    """
    moved = [(row, n) for n, row in enumerate(rows, start=1) if row is not None and row.order != n]
    if not moved:
        return
    if not connection.features.supports_deferrable_unique_constraints:
        model.objects.filter(pk__in=[row.pk for row, _ in moved]).update(order=F("order") + PARK_OFFSET)
    for row, n in moved:
        row.order = n
        row.updated_at = now
    model.objects.bulk_update([row for row, _ in moved], ["order", "updated_at"])


def _touch(course: Course, now) -> None:
    """After a tree change: bump updated_at, recount, refresh the search document."""
    unit_count = Unit.objects.filter(course=course).count()
    module_count = Module.objects.filter(unit__course=course).count()
    Course.objects.filter(pk=course.pk).update(updated_at=now, unit_count=unit_count, module_count=module_count)
    course.updated_at, course.unit_count, course.module_count = now, unit_count, module_count
    _refresh_search([course.pk])
    cache.course_changed(slugs=[course.slug])


@transaction.atomic
def unit_create(*, course: Course, title: str, position: int | None = None) -> Unit:
    title = _clean_fields(UnitRecordSerializer, {"title": title}, only={"title"})["title"]
    course = _lock_course(course.pk)
    units = list(course.units.order_by("order"))
    position = _position(position, len(units) + 1)
    now = timezone.now()
    # Make room at `position` first, then insert into the gap.
    _set_orders(Unit, units[: position - 1] + [None] + units[position - 1 :], now)
    unit = Unit.objects.create(course=course, title=title, order=position, created_at=now, updated_at=now)
    _touch(course, now)
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, title: str) -> Unit:
    title = _clean_fields(UnitRecordSerializer, {"title": title}, only={"title"})["title"]
    course = _lock_course(unit.course_id)
    unit = _reload(Unit, unit.pk)
    if unit.title == title:
        return unit
    now = timezone.now()
    unit.title, unit.updated_at = title, now
    unit.save(update_fields=["title", "updated_at"])
    _touch(course, now)
    return unit


@transaction.atomic
def unit_move(*, unit: Unit, position: int) -> Unit:
    course = _lock_course(unit.course_id)
    units = list(course.units.order_by("order"))
    unit = next((u for u in units if u.pk == unit.pk), None)
    if unit is None:
        raise CatalogNotFoundError("The unit no longer exists.")
    position = _position(position, len(units))
    if unit.order == position:
        return unit
    units.remove(unit)
    units.insert(position - 1, unit)
    now = timezone.now()
    _set_orders(Unit, units, now)
    _touch(course, now)
    return unit


@transaction.atomic
def unit_reorder(*, course: Course, unit_ids: list[int]) -> None:
    """Put the course's units in the order of `unit_ids` (which must name each of them once)."""
    course = _lock_course(course.pk)
    _reorder(course, Unit.objects.filter(course=course), unit_ids, "units", "unit of the course")


@transaction.atomic
def unit_delete(*, unit: Unit) -> None:
    course = _lock_course(unit.course_id)
    deleted, _ = Unit.objects.filter(pk=unit.pk).delete()
    if not deleted:
        raise CatalogNotFoundError("The unit no longer exists.")
    now = timezone.now()
    _set_orders(Unit, list(course.units.order_by("order")), now)
    _touch(course, now)


@transaction.atomic
def module_create(*, unit: Unit, title: str, content: str = "", position: int | None = None) -> Module:
    values = _clean_fields(ModuleRecordSerializer, {"title": title, "content": content}, only={"title", "content"})
    course = _lock_course(unit.course_id)
    unit = _reload(Unit, unit.pk)
    modules = list(unit.modules.order_by("order"))
    position = _position(position, len(modules) + 1)
    now = timezone.now()
    _set_orders(Module, modules[: position - 1] + [None] + modules[position - 1 :], now)
    module = Module.objects.create(unit=unit, order=position, created_at=now, updated_at=now, **values)
    _touch(course, now)
    return module


@transaction.atomic
def module_update(*, module: Module, title: str | None = None, content: str | None = None) -> Module:
    changes = {k: v for k, v in {"title": title, "content": content}.items() if v is not None}
    values = _clean_fields(ModuleRecordSerializer, changes, only=set(changes))
    course = _lock_course(module.unit.course_id)
    module = _reload(Module, module.pk)
    changed = [name for name, value in values.items() if getattr(module, name) != value]
    if not changed:
        return module
    now = timezone.now()
    for name in changed:
        setattr(module, name, values[name])
    module.updated_at = now
    module.save(update_fields=[*changed, "updated_at"])
    _touch(course, now)
    return module


@transaction.atomic
def module_move(*, module: Module, position: int, unit: Unit | None = None) -> Module:
    """Move a module to `position` in its unit, or in `unit` (of the same course) when given."""
    source = module.unit
    target = unit or source
    if target.course_id != source.course_id:
        raise CatalogValidationError({"unit": ["A module can only move between units of its own course."]})
    course = _lock_course(source.course_id)
    module = _reload(Module, module.pk)
    now = timezone.now()
    if target.pk == module.unit_id:
        modules = list(Module.objects.filter(unit_id=target.pk).order_by("order"))
        position = _position(position, len(modules))
        if module.order == position:
            return module
        modules = [m for m in modules if m.pk != module.pk]
        modules.insert(position - 1, module)
        _set_orders(Module, modules, now)
    else:
        remaining = list(Module.objects.filter(unit_id=module.unit_id).exclude(pk=module.pk).order_by("order"))
        modules = list(Module.objects.filter(unit_id=target.pk).order_by("order"))
        position = _position(position, len(modules) + 1)
        # Park the module outside both units' numbering, close the gap, open the new one, drop it in.
        Module.objects.filter(pk=module.pk).update(order=PARK_OFFSET * 2 + module.pk)
        _set_orders(Module, remaining, now)
        _set_orders(Module, modules[: position - 1] + [None] + modules[position - 1 :], now)
        Module.objects.filter(pk=module.pk).update(unit_id=target.pk, order=position, updated_at=now)
        module.unit_id, module.order, module.updated_at = target.pk, position, now
    _touch(course, now)
    return module


@transaction.atomic
def module_reorder(*, unit: Unit, module_ids: list[int]) -> None:
    """Put the unit's modules in the order of `module_ids` (which must name each of them once)."""
    course = _lock_course(unit.course_id)
    _reorder(course, Module.objects.filter(unit_id=unit.pk), module_ids, "modules", "module of the unit")


def _reorder(course: Course, siblings, ids: list[int], field_name: str, what: str) -> None:
    rows = {row.pk: row for row in siblings.order_by("order")}
    if sorted(ids) != sorted(rows):
        raise CatalogValidationError({field_name: [f"The new order must list every {what} exactly once."]})
    now = timezone.now()
    ordered = [rows[pk] for pk in ids]
    if any(row.order != n for n, row in enumerate(ordered, start=1)):
        _set_orders(siblings.model, ordered, now)
        _touch(course, now)


@transaction.atomic
def module_delete(*, module: Module) -> None:
    course = _lock_course(module.unit.course_id)
    unit_id = module.unit_id
    deleted, _ = Module.objects.filter(pk=module.pk).delete()
    if not deleted:
        raise CatalogNotFoundError("The module no longer exists.")
    now = timezone.now()
    _set_orders(Module, list(Module.objects.filter(unit_id=unit_id).order_by("order")), now)
    _touch(course, now)


def _reload(model, pk):
    try:
        return model.objects.get(pk=pk)
    except model.DoesNotExist:
        raise CatalogNotFoundError(f"The {model._meta.verbose_name} no longer exists.") from None


# --- whole-tree upsert --------------------------------------------------------------------------


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


def course_upsert_tree(*, record: dict, by=None, dry_run: bool = False) -> UpsertResult:
    """Make one course and its tree exactly as `record` says (see the import format)."""
    return _upsert_one(clean_record(record), by=by, dry_run=dry_run)


def _upsert_one(record: dict, *, by=None, dry_run: bool = False) -> UpsertResult:
    try:
        return courses_upsert(records=[record], by=by, dry_run=dry_run)[0]
    except CatalogBatchError as exc:
        raise exc.failures[0] from None


def courses_upsert(*, records: list[dict], by=None, dry_run: bool = False) -> list[UpsertResult]:
    """Upsert cleaned records (see catalog.records.clean_record) by slug, all or nothing.

    Unchanged records cost reads only. Raises CatalogBatchError with every failing record's index
    when any record breaks a rule; then nothing is written.
    """
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _upsert_batch(records, by=by, dry_run=dry_run)
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


def _upsert_batch(records, *, by, dry_run) -> list[UpsertResult]:
    failures: dict[int, CatalogError] = {}
    first_seen: dict[str, int] = {}
    for i, record in enumerate(records):
        if record["slug"] in first_seen:
            failures[i] = CatalogValidationError(
                {
                    "slug": [
                        f"The slug '{record['slug']}' appears twice in this batch (first at {first_seen[record['slug']]})."
                    ]
                }
            )
        first_seen.setdefault(record["slug"], i)

    _lock_slugs(sorted(first_seen))
    existing = {c.slug: c for c in Course.objects.select_for_update().filter(slug__in=list(first_seen)).order_by("pk")}
    units_of = defaultdict(list)
    for unit in Unit.objects.filter(course__in=list(existing.values())).order_by("course_id", "order"):
        units_of[unit.course_id].append(unit)
    modules_of = defaultdict(list)
    for module in Module.objects.filter(unit__course__in=list(existing.values())).order_by("unit_id", "order"):
        modules_of[module.unit_id].append(module)

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


def _plan(record: dict, course: Course | None, units: list, modules_of) -> _Plan:
    slug = record["slug"]
    result = UpsertResult(slug=slug, outcome="created" if course is None else "unchanged", course=course)
    plan = _Plan(record=record, course=course, result=result)
    changes = result.changes

    for name in ("title", "description", "topic"):
        if course is None or getattr(course, name) != record[name]:
            plan.course_values[name] = record[name]
            if course is not None:
                changes.append(name)

    wanted_units = record["units"]
    paired, plan.unit_deletes = _match(units, wanted_units)
    for row in plan.unit_deletes:
        changes.append(f"units: '{row.title}' removed")
    module_total = 0
    for position, (wanted, row) in enumerate(zip(wanted_units, paired, strict=True), start=1):
        path = f"units[{position - 1}]"
        if row is None:
            row = Unit(title=wanted["title"], order=position)
            if course is not None:
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
        m_paired, m_deletes = _match(existing_modules, wanted["modules"])
        plan.module_deletes.extend(m_deletes)
        for m in m_deletes:
            changes.append(f"{path}.modules: '{m.title}' removed")
        m_rows = []
        for m_position, (m_wanted, m_row) in enumerate(zip(wanted["modules"], m_paired, strict=True), start=1):
            m_path = f"{path}.modules[{m_position - 1}]"
            if m_row is None:
                m_row = Module(title=m_wanted["title"], content=m_wanted["content"], order=m_position)
                if row.pk:
                    changes.append(f"{m_path} added")
            else:
                dirty = [n for n in ("title", "content") if getattr(m_row, n) != m_wanted[n]]
                changes.extend(f"{m_path}.{n}" for n in dirty)
                if m_row.order != m_position:
                    dirty.append("order")
                    changes.append(f"{m_path} moved from {m_row.order} to {m_position}")
                if dirty:
                    plan.module_updates.append((m_row, m_wanted))
            m_rows.append(m_row)
        plan.module_rows[id(row)] = m_rows
        module_total += len(m_rows)

    current = course.status if course else Status.DRAFT
    target = record.get("status", current)
    if target != current:
        probe = course or Course(slug=slug, status=current)
        plan.action = _action_for(probe, target)
        changes.append(f"status: {current} -> {target}")
    if plan.action == "publish":
        refusal = _publish_refusal(slug, [(w["title"], len(w["modules"])) for w in wanted_units])
        if refusal:
            raise InvalidTransitionError(refusal)
    plan.course_values["status"] = target
    plan.course_values["unit_count"] = len(wanted_units)
    plan.course_values["module_count"] = module_total
    if course is not None and changes:
        result.outcome = "updated"
    return plan


def _apply(plans: list[_Plan], *, by) -> None:
    now = timezone.now()
    by = _user(by)
    changed = [p for p in plans if p.result.outcome != "unchanged"]
    if not changed:
        return

    # Courses: insert the new ones, update the changed ones.
    new_courses = []
    for plan in changed:
        values = plan.course_values
        if plan.course is None:
            plan.course = Course(
                slug=plan.record["slug"],
                created_at=now,
                updated_at=now,
                **{k: v for k, v in values.items() if k != "status"},
                status=Status.DRAFT,
            )
            new_courses.append(plan.course)
        else:
            for name, value in values.items():
                if name != "status":
                    setattr(plan.course, name, value)
            plan.course.updated_at = now
        plan.result.course = plan.course
    Course.objects.bulk_create(new_courses, batch_size=500)

    # Old rows go first, so that what stays can be renumbered into their places.
    Module.objects.filter(pk__in=[m.pk for p in changed for m in p.module_deletes]).delete()
    Unit.objects.filter(pk__in=[u.pk for p in changed for u in p.unit_deletes]).delete()

    unit_updates, new_units = [], []
    for plan in changed:
        for row, title in plan.unit_updates:
            row.title = title
        for position, row in enumerate(plan.unit_rows, start=1):
            row.order_target = position
            if row.pk is None:
                row.course = plan.course
                row.created_at = row.updated_at = now
                new_units.append(row)
        unit_updates.extend(row for row, _ in plan.unit_updates)
    _write_rows(Unit, unit_updates, ["title"], now)
    Unit.objects.bulk_create(new_units, batch_size=1000)

    module_updates, new_modules = [], []
    for plan in changed:
        for row, wanted in plan.module_updates:
            row.title, row.content = wanted["title"], wanted["content"]
            module_updates.append(row)
        for unit in plan.unit_rows:
            for position, m in enumerate(plan.module_rows[id(unit)], start=1):
                m.order_target = position
                if m.pk is None:
                    m.unit = unit
                    m.created_at = m.updated_at = now
                    new_modules.append(m)
    _write_rows(Module, module_updates, ["title", "content"], now)
    Module.objects.bulk_create(new_modules, batch_size=2000)

    # Status moves, each through the workflow's rules (checked while planning).
    transitions = []
    for plan in changed:
        if plan.action:
            _sources, to = TRANSITIONS[plan.action]
            transitions.append(
                CourseTransition(course=plan.course, from_status=plan.course.status, to_status=to, by=by, at=now)
            )
            plan.course.status = to
            if to == Status.PUBLISHED:
                plan.course.published_at = now
    new_ids = {id(c) for c in new_courses}
    Course.objects.bulk_update(
        [p.course for p in changed if id(p.course) not in new_ids or p.action],
        ["title", "description", "topic", "status", "published_at", "updated_at", "unit_count", "module_count"],
        batch_size=500,
    )
    CourseTransition.objects.bulk_create(transitions)

    _refresh_search_from_plans(changed)
    cache.course_changed(slugs=[p.course.slug for p in changed])


def _write_rows(model, rows, fields, now) -> None:
    """bulk_update `fields` and the planned order of `rows` (parking orders first on SQLite)."""
    moving = [row for row in rows if row.order != row.order_target]
    if moving and not connection.features.supports_deferrable_unique_constraints:
        model.objects.filter(pk__in=[row.pk for row in moving]).update(order=F("order") + PARK_OFFSET)
    for row in rows:
        row.order = row.order_target
        row.updated_at = now
    model.objects.bulk_update(rows, [*fields, "order", "updated_at"], batch_size=1000)


# --- search document ----------------------------------------------------------------------------

_SEARCH_SQL = """
UPDATE catalog_course AS c SET search_vector =
    setweight(to_tsvector('english', c.title), 'A')
    || setweight(to_tsvector('english', c.topic), 'B')
    || setweight(to_tsvector('english', coalesce(t.unit_titles, '')), 'B')
    || setweight(to_tsvector('english', coalesce(t.module_titles, '')), 'C')
    || setweight(to_tsvector('english', c.description), 'D')
FROM (
    SELECT c2.id,
        (SELECT string_agg(u.title, ' ') FROM catalog_unit u WHERE u.course_id = c2.id) AS unit_titles,
        (SELECT string_agg(m.title, ' ') FROM catalog_module m JOIN catalog_unit u ON m.unit_id = u.id
          WHERE u.course_id = c2.id) AS module_titles
    FROM catalog_course c2 WHERE c2.id = ANY(%s)
) AS t
WHERE c.id = t.id
"""


_SEARCH_FROM_VALUES_SQL = """
UPDATE catalog_course AS c SET search_vector =
    setweight(to_tsvector('english', c.title), 'A')
    || setweight(to_tsvector('english', c.topic), 'B')
    || setweight(to_tsvector('english', v.unit_titles), 'B')
    || setweight(to_tsvector('english', v.module_titles), 'C')
    || setweight(to_tsvector('english', c.description), 'D')
FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS unit_titles, unnest(%s::text[]) AS module_titles) AS v
WHERE c.id = v.id
"""


def _refresh_search_from_plans(plans: list[_Plan]) -> None:
    """Like _refresh_search, from the titles the plans already hold (no join over the tree)."""
    if connection.vendor != "postgresql" or not plans:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(plans), 1000):
            chunk = plans[start : start + 1000]
            cursor.execute(
                _SEARCH_FROM_VALUES_SQL,
                [
                    [p.course.pk for p in chunk],
                    [" ".join(u.title for u in p.unit_rows) for p in chunk],
                    [" ".join(m.title for u in p.unit_rows for m in p.module_rows[id(u)]) for p in chunk],
                ],
            )


def _refresh_search(course_ids) -> None:
    """Rebuild the stored search document of these courses (PostgreSQL only; SQLite searches live)."""
    if connection.vendor != "postgresql" or not course_ids:
        return
    ids = list(course_ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 1000):
            cursor.execute(_SEARCH_SQL, [ids[start : start + 1000]])
