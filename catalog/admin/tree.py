"""The course page's tree: units and their modules edited, moved and reordered on one page
(django-nested-admin), applied through the tree services, never formset.save()."""

from dataclasses import dataclass, field

import nested_admin
from django import forms

from catalog import services
from catalog.admin.forms import ModuleInlineForm, UnitInlineForm
from catalog.errors import CatalogNotFoundError
from catalog.models import Course, Module, Unit

# Ticked on the course page to go ahead with deleting units that still hold modules.
CONFIRM_UNIT_DELETE = "confirm_unit_delete"


def posted_module_ids(module_formset) -> list[str]:
    """The existing modules a unit's rows hold as submitted (raw ids, before validation)."""
    if module_formset is None:
        return []
    data = module_formset.data
    return [
        data.get(f"{module_formset.prefix}-{i}-id")
        for i in range(module_formset.total_form_count())
        if data.get(f"{module_formset.prefix}-{i}-id")
    ]


def nested_modules(unit_form):
    return next(iter(getattr(unit_form, "nested_formsets", None) or []), None)


class UnitInlineFormSet(nested_admin.formsets.NestedInlineFormSet):
    """Asks before a save deletes a unit with modules in it, and refuses modules without a unit title."""

    needs_delete_confirmation = ()

    def clean(self):
        super().clean()
        # Where each existing module sits in the submitted page (a module dragged out of a unit that
        # is being deleted survives it).
        placed = {}
        for form in self.forms:
            for module_id in posted_module_ids(nested_modules(form)):
                placed[module_id] = form
        doomed = []
        for form in self.forms:
            if not getattr(form, "cleaned_data", None):
                untitled = nested_modules(form)
                if untitled is not None and any(f.has_changed() for f in untitled.forms):
                    raise forms.ValidationError(
                        "A new unit has modules but no title: give it a title, or remove its modules.",
                        code="untitled_unit",
                    )
                continue
            unit = form.cleaned_data.get("id")
            if unit is None or not form.cleaned_data.get("DELETE"):
                continue
            inside = Module.objects.filter(unit_id=unit.pk).values_list("pk", flat=True)
            count = sum(1 for pk in inside if placed.get(str(pk), form) is form)
            if count:
                doomed.append(f"'{unit.title}' ({count} module{'s' * (count != 1)})")
        if doomed and self.data.get(CONFIRM_UNIT_DELETE) != "yes":
            self.needs_delete_confirmation = doomed
            raise forms.ValidationError(
                f"Deleting unit{'s' * (len(doomed) != 1)} {', '.join(doomed)} also deletes "
                f"{'their' if len(doomed) != 1 else 'its'} modules. Nothing was saved: tick "
                "“Yes, delete these units with their modules” below and save again, or untick Delete.",
                code="confirm_unit_delete",
            )


class ModuleInline(nested_admin.NestedTabularInline):
    model = Module
    form = ModuleInlineForm
    fields = ["title", "content", "minutes", "order"]
    sortable_field_name = "order"
    template = "admin/catalog/course/modules_inline.html"
    verbose_name_plural = "Modules"

    def get_extra(self, request, obj=None, **kwargs):
        # A new unit comes with one empty module row; existing units get "Add another Module".
        return 1 if obj is None or obj.pk is None else 0


class UnitInline(nested_admin.NestedStackedInline):
    model = Unit
    form = UnitInlineForm
    formset = UnitInlineFormSet
    fields = ["title", "order"]
    sortable_field_name = "order"
    inlines = [ModuleInline]
    template = "admin/catalog/course/units_inline.html"
    verbose_name_plural = "Units and modules"

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0


@dataclass
class Row:
    form: object
    rank: tuple
    existing: object = None  # the row as it is in the database, None for a new one
    deleted: bool = False
    pk: int | None = None
    modules: list = field(default_factory=list)


def _rank(form, index, current):
    submitted = form.position
    # Kept rows by their submitted place (ties: current order); new rows without one after them.
    return (submitted if submitted is not None else float("inf"), current or float("inf"), index)


def apply_tree(course: Course, formsets) -> list[str]:
    """Apply the course page's unit and module rows with the tree services; returns what changed, in words.

    Runs in the admin's transaction, after the course's save service took the course's row lock and
    checked the editor's stale-edit guard. Order: module deletions, unit renames and creations,
    module edits, moves and creations, unit deletions (after the modules moved out of them), then
    one reorder per parent. Rows someone else added meanwhile (the guard refuses that anyway) keep
    their relative order after the editor's rows (services.merged_order).
    """
    return TreeSave(course, formsets).apply()


class TreeSave:
    def __init__(self, course: Course, formsets):
        self.course = course
        self.units_formset = next(fs for fs in formsets if fs.model is Unit and not getattr(fs, "is_nested", False))
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        self.units_now = {u.pk: u for u in Unit.objects.filter(course_id=course.pk).order_by("order")}
        self.modules_now = {m.pk: m for m in Module.objects.filter(unit__course_id=course.pk).order_by("order")}
        self.log = TreeLog(self.units_now, self.modules_now)

    def apply(self) -> list[str]:
        rows = self.read_rows()
        self.delete_modules(rows)
        self.save_units(rows)
        for row in rows:
            for m_row in row.modules:
                self.save_module(row, m_row)
        for row in rows:
            if row.deleted:
                services.unit_delete(unit=row.existing)
                self.log.unit_deleted(row.existing)
        self.reorder([row for row in rows if not row.deleted])
        return self.log.lines()

    def unit_ref(self, pk) -> Unit:
        return Unit(pk=pk, course_id=self.course.pk)

    def read_rows(self) -> list[Row]:
        rows = []
        for index, form in enumerate(self.units_formset.forms):
            data = getattr(form, "cleaned_data", None)
            if not data:
                continue  # an extra row left empty
            unit = data.get("id")
            if unit is not None and unit.pk not in self.units_now:
                raise CatalogNotFoundError(f"The unit '{unit.title}' no longer exists.")
            existing = unit and self.units_now[unit.pk]
            row = Row(form, _rank(form, index, existing and existing.order), existing, bool(data.get("DELETE")))
            row.pk = existing and existing.pk
            if existing is None and row.deleted:
                continue
            module_formset = nested_modules(form)
            for m_index, m_form in enumerate(module_formset.forms if module_formset is not None else []):
                m_row = self.read_module(row, m_index, m_form)
                if m_row is not None:
                    row.modules.append(m_row)
            rows.append(row)
        return rows

    def read_module(self, row: Row, index: int, form) -> Row | None:
        data = getattr(form, "cleaned_data", None)
        if not data:
            return None
        module = data.get("id")
        if module is not None and module.pk not in self.modules_now:
            raise CatalogNotFoundError(f"The module '{module.title}' no longer exists.")
        existing = module and self.modules_now[module.pk]
        if existing is None and (row.deleted or data.get("DELETE") or not form.has_changed()):
            return None
        m_row = Row(form, _rank(form, index, existing and existing.order), existing)
        m_row.deleted = row.deleted or bool(data.get("DELETE"))
        m_row.pk = existing and existing.pk
        return m_row

    def delete_modules(self, rows):
        """Modules deleted on their own (one in a deleted unit goes with it, unless it came from elsewhere)."""
        for row in rows:
            for m_row in row.modules:
                if not m_row.deleted or m_row.existing is None:
                    continue
                if row.deleted and m_row.existing.unit_id == row.pk:
                    continue
                services.module_delete(module=m_row.existing)
                self.log.module_deleted(m_row.existing)

    def save_units(self, rows):
        for row in rows:
            if row.deleted:
                continue
            title = row.form.cleaned_data["title"]
            if row.existing is None:
                unit = services.unit_create(course=self.course, title=title)
                row.pk = unit.pk
                self.log.unit_added(unit)
            elif title != row.existing.title:
                services.unit_update(unit=row.existing, title=title)
                self.log.unit_renamed(row.existing, title)

    def save_module(self, row: Row, m_row: Row):
        """Edited, moved to the unit whose rows hold it, or created."""
        if m_row.deleted or row.deleted:
            return
        data = m_row.form.cleaned_data
        before = m_row.existing
        if before is None:
            module = services.module_create(
                unit=self.unit_ref(row.pk),
                title=data["title"],
                content=data.get("content") or "",
                minutes=data.get("minutes"),
            )
            m_row.pk = module.pk
            self.log.module_added(module)
            return
        changes = {name: data[name] for name in ("title", "content") if data.get(name, "") != getattr(before, name)}
        if data.get("minutes") != before.minutes:
            changes["minutes"] = data.get("minutes")
        if changes:
            services.module_update(module=before, **changes)
            self.log.module_changed(before, changes)
        if before.unit_id != row.pk:
            end = Module.objects.filter(unit_id=row.pk).count() + 1
            services.module_move(module=before, unit=self.unit_ref(row.pk), position=end)
            self.log.module_moved(before, row.pk)

    def reorder(self, kept):
        """One reorder call per parent whose order the page changed."""
        current = list(Unit.objects.filter(course_id=self.course.pk).order_by("order").values_list("pk", flat=True))
        wanted = services.merged_order(current, [(row.rank, row.pk) for row in kept])
        if wanted != current:
            services.unit_reorder(course=self.course, unit_ids=wanted)
            self.log.units_reordered(wanted)
        for row in kept:
            current = list(Module.objects.filter(unit_id=row.pk).order_by("order").values_list("pk", flat=True))
            ranked = [(m.rank, m.pk) for m in row.modules if not m.deleted and m.pk in current]
            wanted = services.merged_order(current, ranked)
            if wanted != current:
                services.module_reorder(unit=self.unit_ref(row.pk), module_ids=wanted)
                self.log.modules_reordered(row.pk, wanted)


def _quote(text: str, limit: int = 60) -> str:
    return f"'{text if len(text) <= limit else text[: limit - 1] + '…'}'"


class TreeLog:
    """What a save did to the tree, in words, naming units and modules by their numbers *after* the
    save (so that the history never shows numbers that a reorder in the same save made stale)."""

    def __init__(self, units_before, modules_before):
        self.units_before = units_before
        self.modules_before = modules_before
        self.events = []

    def unit_added(self, unit):
        self.events.append(("unit", unit.pk, "Added unit {unit}."))

    def unit_renamed(self, unit, title):
        self.events.append(("unit", unit.pk, f"Renamed unit {{number}}: {_quote(unit.title)} → {_quote(title)}."))

    def unit_deleted(self, unit):
        self.events.append((None, None, f"Deleted unit {_quote(unit.title)} (was unit {unit.order}) with its modules."))

    def units_reordered(self, ids):
        self.events.append(("units", ids, "Reordered the units: {units}."))

    def module_added(self, module):
        self.events.append(("module", module.pk, "Added module {module}."))

    def module_changed(self, module, changes):
        parts = []
        if "title" in changes:
            parts.append(f"title {_quote(module.title)} → {_quote(changes['title'])}")
        if "content" in changes:
            parts.append(f"content changed ({len(module.content)} → {len(changes['content'])} characters)")
        if "minutes" in changes:
            parts.append(f"minutes {module.minutes} → {changes['minutes']}")
        self.events.append(("module", module.pk, f"Module {{module}}: {'; '.join(parts)}."))

    def module_moved(self, module, unit_pk):
        source = self.units_before.get(module.unit_id)
        origin = f"unit {source.order} {_quote(source.title)}" if source else "another unit"
        self.events.append(("module", module.pk, f"Moved module {{module}} from {origin}."))

    def module_deleted(self, module):
        unit = self.units_before.get(module.unit_id)
        where = f" (was {unit.order}.{module.order})" if unit else ""
        self.events.append((None, None, f"Deleted module {_quote(module.title)}{where}."))

    def modules_reordered(self, unit_pk, ids):
        self.events.append(("modules", (unit_pk, ids), "Reordered the modules of unit {unit}: {modules}."))

    def lines(self) -> list[str]:
        if not self.events:
            return []
        units = {
            pk: (order, title)
            for pk, order, title in Unit.objects.filter(pk__in=self._unit_ids()).values_list("pk", "order", "title")
        }
        modules = {
            pk: (unit_order, order, title)
            for pk, unit_order, order, title in Module.objects.filter(pk__in=self._module_ids()).values_list(
                "pk", "unit__order", "order", "title"
            )
        }

        def unit(pk):
            order, title = units.get(pk, ("?", "?"))
            return f"{order} {_quote(title)}"

        def module(pk):
            unit_order, order, title = modules.get(pk, ("?", "?", "?"))
            return f"{unit_order}.{order} {_quote(title)}"

        out = []
        for kind, ref, text in self.events:
            if kind == "unit":
                out.append(text.format(unit=unit(ref), number=units.get(ref, ("?",))[0]))
            elif kind == "module":
                out.append(text.format(module=module(ref)))
            elif kind == "units":
                out.append(text.format(units=", ".join(unit(pk) for pk in ref)))
            elif kind == "modules":
                unit_pk, ids = ref
                out.append(text.format(unit=unit(unit_pk), modules=", ".join(module(pk) for pk in ids)))
            else:
                out.append(text)
        return out

    def _unit_ids(self):
        ids = set()
        for kind, ref, _ in self.events:
            if kind == "unit":
                ids.add(ref)
            elif kind == "units":
                ids.update(ref)
            elif kind == "modules":
                ids.add(ref[0])
        return ids

    def _module_ids(self):
        ids = set()
        for kind, ref, _ in self.events:
            if kind == "module":
                ids.add(ref)
            elif kind == "modules":
                ids.update(ref[1])
        return ids
