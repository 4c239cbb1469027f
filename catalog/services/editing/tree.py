"""Units and modules: create, rename, move, reorder, delete, always numbered 1..n in their parent."""

from django.db import transaction
from django.utils import timezone

from catalog.domain.records import ModuleRecordSerializer, UnitRecordSerializer
from catalog.errors import CatalogNotFoundError, CatalogValidationError
from catalog.models import Course, Module, Unit
from catalog.services.common import (
    PARK_OFFSET,
    Precondition,
    clean_fields,
    lock_course,
    position_in,
    reload,
    set_orders,
    touch,
)


@transaction.atomic
def unit_create(
    *, course: Course, title: str, position: int | None = None, precondition: Precondition | None = None
) -> Unit:
    title = clean_fields(UnitRecordSerializer, {"title": title}, only={"title"})["title"]
    course = lock_course(course.pk, precondition=precondition)
    units = list(course.units.order_by("order"))
    position = position_in(position, len(units) + 1)
    now = timezone.now()
    # Make room at `position` first, then insert into the gap.
    set_orders(Unit, units[: position - 1] + [None] + units[position - 1 :], now)
    unit = Unit.objects.create(course=course, title=title, order=position, created_at=now, updated_at=now)
    touch(course, now)
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, title: str, precondition: Precondition | None = None) -> Unit:
    title = clean_fields(UnitRecordSerializer, {"title": title}, only={"title"})["title"]
    course = lock_course(unit.course_id, precondition=precondition)
    unit = reload(Unit, unit.pk)
    if unit.title == title:
        return unit
    now = timezone.now()
    unit.title, unit.updated_at = title, now
    unit.save(update_fields=["title", "updated_at"])
    touch(course, now)
    return unit


@transaction.atomic
def unit_move(*, unit: Unit, position: int, precondition: Precondition | None = None) -> Unit:
    course = lock_course(unit.course_id, precondition=precondition)
    units = list(course.units.order_by("order"))
    unit = next((u for u in units if u.pk == unit.pk), None)
    if unit is None:
        raise CatalogNotFoundError("The unit no longer exists.")
    position = position_in(position, len(units))
    if unit.order == position:
        return unit
    units.remove(unit)
    units.insert(position - 1, unit)
    now = timezone.now()
    set_orders(Unit, units, now)
    touch(course, now)
    return unit


@transaction.atomic
def unit_reorder(*, course: Course, unit_ids: list[int], precondition: Precondition | None = None) -> None:
    """Put the course's units in the order of `unit_ids` (which must name each of them once)."""
    course = lock_course(course.pk, precondition=precondition)
    _reorder(course, Unit.objects.filter(course=course), unit_ids, "units", "unit of the course")


@transaction.atomic
def unit_delete(*, unit: Unit, precondition: Precondition | None = None) -> None:
    course = lock_course(unit.course_id, precondition=precondition)
    deleted, _ = Unit.objects.filter(pk=unit.pk).delete()
    if not deleted:
        raise CatalogNotFoundError("The unit no longer exists.")
    now = timezone.now()
    set_orders(Unit, list(course.units.order_by("order")), now)
    touch(course, now)


@transaction.atomic
def module_create(
    *,
    unit: Unit,
    title: str,
    content: str = "",
    minutes: int | None = None,
    position: int | None = None,
    precondition: Precondition | None = None,
) -> Module:
    values = clean_fields(
        ModuleRecordSerializer,
        {"title": title, "content": content, "minutes": minutes},
        only={"title", "content", "minutes"},
    )
    course = lock_course(unit.course_id, precondition=precondition)
    unit = reload(Unit, unit.pk)
    modules = list(unit.modules.order_by("order"))
    position = position_in(position, len(modules) + 1)
    now = timezone.now()
    set_orders(Module, modules[: position - 1] + [None] + modules[position - 1 :], now)
    module = Module.objects.create(unit=unit, order=position, created_at=now, updated_at=now, **values)
    touch(course, now)
    return module


@transaction.atomic
def module_update(
    *,
    module: Module,
    title: str | None = None,
    content: str | None = None,
    minutes=...,
    precondition: Precondition | None = None,
) -> Module:
    """Change the given fields (`minutes=None` clears the module's minutes; left out, they stay)."""
    changes = {k: v for k, v in {"title": title, "content": content}.items() if v is not None}
    if minutes is not ...:
        changes["minutes"] = minutes
    values = clean_fields(ModuleRecordSerializer, changes, only=set(changes))
    course = lock_course(module.unit.course_id, precondition=precondition)
    module = reload(Module, module.pk)
    changed = [name for name, value in values.items() if getattr(module, name) != value]
    if not changed:
        return module
    now = timezone.now()
    for name in changed:
        setattr(module, name, values[name])
    module.updated_at = now
    module.save(update_fields=[*changed, "updated_at"])
    touch(course, now)
    return module


@transaction.atomic
def module_move(
    *, module: Module, position: int, unit: Unit | None = None, precondition: Precondition | None = None
) -> Module:
    """Move a module to `position` in its unit, or in `unit` (of the same course) when given."""
    source = module.unit
    target = unit or source
    if target.course_id != source.course_id:
        raise CatalogValidationError({"unit": ["A module can only move between units of its own course."]})
    course = lock_course(source.course_id, precondition=precondition)
    module = reload(Module, module.pk)
    now = timezone.now()
    if target.pk == module.unit_id:
        modules = list(Module.objects.filter(unit_id=target.pk).order_by("order"))
        position = position_in(position, len(modules))
        if module.order == position:
            return module
        modules = [m for m in modules if m.pk != module.pk]
        modules.insert(position - 1, module)
        set_orders(Module, modules, now)
    else:
        remaining = list(Module.objects.filter(unit_id=module.unit_id).exclude(pk=module.pk).order_by("order"))
        modules = list(Module.objects.filter(unit_id=target.pk).order_by("order"))
        position = position_in(position, len(modules) + 1)
        # Park the module outside both units' numbering, close the gap, open the new one, drop it in.
        Module.objects.filter(pk=module.pk).update(order=PARK_OFFSET * 2 + module.pk)
        set_orders(Module, remaining, now)
        set_orders(Module, modules[: position - 1] + [None] + modules[position - 1 :], now)
        Module.objects.filter(pk=module.pk).update(unit_id=target.pk, order=position, updated_at=now)
        module.unit_id, module.order, module.updated_at = target.pk, position, now
    touch(course, now)
    return module


@transaction.atomic
def module_reorder(*, unit: Unit, module_ids: list[int], precondition: Precondition | None = None) -> None:
    """Put the unit's modules in the order of `module_ids` (which must name each of them once)."""
    course = lock_course(unit.course_id, precondition=precondition)
    _reorder(course, Module.objects.filter(unit_id=unit.pk), module_ids, "modules", "module of the unit")


@transaction.atomic
def module_delete(*, module: Module, precondition: Precondition | None = None) -> None:
    course = lock_course(module.unit.course_id, precondition=precondition)
    unit_id = module.unit_id
    deleted, _ = Module.objects.filter(pk=module.pk).delete()
    if not deleted:
        raise CatalogNotFoundError("The module no longer exists.")
    now = timezone.now()
    set_orders(Module, list(Module.objects.filter(unit_id=unit_id).order_by("order")), now)
    touch(course, now)


def _reorder(course: Course, siblings, ids: list[int], field_name: str, what: str) -> None:
    rows = {row.pk: row for row in siblings.order_by("order")}
    if sorted(ids) != sorted(rows):
        raise CatalogValidationError({field_name: [f"The new order must list every {what} exactly once."]})
    now = timezone.now()
    ordered = [rows[pk] for pk in ids]
    if any(row.order != n for n, row in enumerate(ordered, start=1)):
        set_orders(siblings.model, ordered, now)
        touch(course, now)


def merged_order(current: list[int], ranked: list[tuple[tuple, int]]) -> list[int]:
    """The order an editor's form asks for: `ranked` (sort key, id) sorted, then the rows the form did
    not show (added by someone else meanwhile) in their current relative order."""
    wanted = [pk for _key, pk in sorted(ranked, key=lambda row: row[0])]
    shown = set(wanted)
    return wanted + [pk for pk in current if pk not in shown]
