"""The unit pages: a unit's title and its modules inline (drag to reorder)."""

from adminsortable2.admin import SortableAdminBase, SortableTabularInline
from django.contrib import admin

from catalog import services
from catalog.admin.common import LogsOnCourse, ServiceAdmin, apply_inline, opened_guard
from catalog.admin.forms import ModuleInlineForm, UnitAdminForm
from catalog.models import Module, Unit


class ModuleInline(SortableTabularInline):
    model = Module
    form = ModuleInlineForm
    ordering = ["order"]
    fields = ["title", "content", "order"]
    extra = 1
    verbose_name_plural = "Modules (drag a row by its name to reorder)"


@admin.register(Unit)
class UnitAdmin(ServiceAdmin, LogsOnCourse, SortableAdminBase, admin.ModelAdmin):
    form = UnitAdminForm
    list_display = ["title", "course", "order"]
    list_select_related = ["course"]
    list_filter = ["course__status"]
    search_fields = ["title", "course__title", "course__slug"]
    ordering = ["course__title", "course_id", "order"]
    # A search box, not a <select> of every course: the catalog may hold many thousands.
    autocomplete_fields = ["course"]
    inlines = [ModuleInline]

    class Media:
        css = {"all": ["catalog/admin.css"]}
        js = ["catalog/admin.js"]

    def get_fields(self, request, obj=None):
        return ["course", "title", "order", "opened_at"] if obj else ["course", "title"]

    def get_search_results(self, request, queryset, search_term):
        # The module page's unit picker names each unit with its course: one query, not one per unit.
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return found.select_related("course"), may_have_duplicates

    def get_readonly_fields(self, request, obj=None):
        # A unit stays in its course: moving it elsewhere is not an edit the services offer.
        return ["course", "order"] if obj else []

    def course_id_of(self, unit):
        return unit.course_id

    def service_save(self, request, obj, form, change):
        title = form.cleaned_data["title"]
        if change:
            return services.unit_update(unit=obj, title=title, precondition=opened_guard(form, change))
        return services.unit_create(course=form.cleaned_data["course"], title=title)

    def service_delete(self, obj):
        services.unit_delete(unit=obj)

    def save_formset(self, request, form, formset, change):
        unit = form.instance
        apply_inline(
            formset,
            rows=lambda: Module.objects.filter(unit_id=unit.pk).order_by("order"),
            create=lambda data: services.module_create(
                unit=unit, title=data["title"], content=data.get("content") or ""
            ),
            update=lambda module, changes: services.module_update(module=module, **changes),
            delete=lambda module: services.module_delete(module=module),
            reorder=lambda ids: services.module_reorder(unit=unit, module_ids=ids),
        )
